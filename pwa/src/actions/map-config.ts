/** The map's tiles and coordinate system, remembered so an offline start draws the same map. */
import { getClientConfig, type MapConfig } from '../api/map';

const KEY = 'gridreport.mapConfig';
const NO_TILES: MapConfig = { tileUrl: null, coordinates: 'wgs84', attribution: '' };

function remembered(): MapConfig | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as MapConfig) : null;
  } catch {
    return null;
  }
}

/** The server's answer when it gives one; else the last one seen; else no tiles at all. */
export async function loadMapConfig(): Promise<MapConfig> {
  try {
    const { map } = await getClientConfig();
    localStorage.setItem(KEY, JSON.stringify(map));
    return map;
  } catch (error) {
    console.info('map settings not fetched, using the last known', error);
    return remembered() ?? NO_TILES;
  }
}
