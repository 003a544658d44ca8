/** Drawing an area on the map: tap its corners, undo the last, double-click or Finish to close. */
import { useRef, useState } from 'preact/hooks';
import { addSketchPoint, sketchPolygon, undoSketchPoint, type SketchPoint } from '../../actions/area-logic';
import type { LatLng } from '../../actions/coords';
import type { GeoJsonGeometry } from '../../api/key-areas';
import { t } from '../../i18n';
import { MapView } from './MapView';

interface Props {
  centre: LatLng;
  zoom?: number;
  /** The closed outline and its first corner (to find the region it lies in). */
  onFinish: (geometry: GeoJsonGeometry, first: SketchPoint) => void;
  onCancel?: () => void;
  testId: string;
}

export function DrawMap(props: Props) {
  const [points, setPoints] = useState<SketchPoint[]>([]);
  // A double-click arrives right after its two taps: read the points as they are now.
  const current = useRef<SketchPoint[]>([]);
  const change = (next: SketchPoint[]) => {
    current.current = next;
    setPoints(next);
  };
  const finish = () => {
    const geometry = sketchPolygon(current.current);
    const first = current.current[0];
    if (geometry && first) props.onFinish(geometry, first);
  };
  const closed = sketchPolygon(points) !== null;
  return (
    <div class="draw-map" data-testid={props.testId} data-points={points.length}>
      <p class="hint">{t('areas.drawHint')}</p>
      <MapView
        centre={props.centre}
        zoom={props.zoom ?? 16}
        sketch={points}
        onSketchTap={(p) => change(addSketchPoint(current.current, p))}
        onSketchFinish={finish}
        label={t('areas.drawOnMap')}
        testId={`${props.testId}-map`}
        tall
      />
      <div class="draw-tools area-head-actions">
        <span class="muted" data-testid={`${props.testId}-count`}>
          {t('areas.drawPoints', { count: points.length })}
        </span>
        <button type="button" class="small" data-testid={`${props.testId}-undo`} disabled={points.length === 0} onClick={() => change(undoSketchPoint(current.current))}>
          {t('areas.undoPoint')}
        </button>
        <button type="button" class="small primary-inline" data-testid={`${props.testId}-finish`} disabled={!closed} onClick={finish}>
          {t('areas.finishDrawing')}
        </button>
        {props.onCancel ? (
          <button type="button" class="small" data-testid={`${props.testId}-cancel`} onClick={props.onCancel}>
            {t('areas.cancelDrawing')}
          </button>
        ) : null}
      </div>
    </div>
  );
}
