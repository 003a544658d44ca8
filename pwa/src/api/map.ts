/** What the map draws from the API: the deployment's tiles, grid outlines, heat and hotspots. */
import type { Coordinates } from '../actions/coords';
import { request } from './http';

export interface MapConfig {
  tileUrl: string | null;
  coordinates: Coordinates;
  attribution: string;
}

export interface GeoFeature {
  type: 'Feature';
  geometry: { type: string; coordinates: unknown };
  properties: Record<string, unknown>;
}

export interface FeatureCollection {
  type: 'FeatureCollection';
  features: GeoFeature[];
  truncated?: boolean;
  resolution?: number;
}

export function getClientConfig(): Promise<{ map: MapConfig }> {
  return request<{ map: MapConfig }>('/client-config');
}

/** bbox is west,south,east,north in WGS-84. */
export function gridOutlines(bbox: string): Promise<FeatureCollection> {
  return request<FeatureCollection>('/regions/outlines', { query: { bbox } });
}

export function heatmap(token: string, bbox: string, zoom: number): Promise<FeatureCollection> {
  return request<FeatureCollection>('/stats/heatmap', { token, query: { bbox, zoom: String(zoom), status: 'open' } });
}
