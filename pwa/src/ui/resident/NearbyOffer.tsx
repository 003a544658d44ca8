/** 已有人反映: open reports of the same kind close by, so a resident can follow instead of repeating. */
import { useEffect, useState } from 'preact/hooks';
import type { LatLng } from '../../actions/coords';
import { followReport, nearbyReports } from '../../api/resident';
import type { NearbyReportOut } from '../../api/types';
import { statusLabel, t } from '../../i18n';
import { errorMessage } from '../common';

interface Props {
  category: string | null;
  point: LatLng | null;
  token: () => Promise<string>;
}

export function NearbyOffer({ category, point, token }: Props) {
  const [items, setItems] = useState<NearbyReportOut[]>([]);
  const [followed, setFollowed] = useState<Set<number>>(new Set());
  const [problem, setProblem] = useState<string | null>(null);
  const lat = point?.lat;
  const lng = point?.lng;

  useEffect(() => {
    setItems([]);
    if (!category || lat === undefined || lng === undefined) return;
    let stale = false;
    // Offline or slow: the offer is a courtesy, the report can be sent without it.
    token()
      .then((bearer) => nearbyReports(bearer, lat, lng, category))
      .then(
      (list) => stale || setItems(list),
      (e: unknown) => console.info('nearby reports not fetched', e),
    );
    return () => {
      stale = true;
    };
  }, [category, lat?.toFixed(4), lng?.toFixed(4)]);

  if (items.length === 0) return null;
  const follow = async (id: number) => {
    setProblem(null);
    try {
      await followReport(await token(), id);
      setFollowed((s) => new Set(s).add(id));
    } catch (e) {
      setProblem(errorMessage(e));
    }
  };
  return (
    <section class="nearby" aria-live="polite" data-testid="nearby">
      <h3>{t('nearby.title')}</h3>
      <p class="hint">{t('nearby.hint')}</p>
      <ul class="cards">
        {items.map((r) => (
          <li key={r.id} class="card" data-testid="nearby-item">
            <p>
              <strong>{r.trackingNo}</strong> · {statusLabel(r.status)} · {t('nearby.distance', { metres: Math.round(r.distanceM) })}
            </p>
            {r.description ? <p class="desc">{r.description}</p> : null}
            {followed.has(r.id) ? (
              <p class="notice" data-testid="nearby-followed">
                {t('nearby.followed')}
              </p>
            ) : (
              <button type="button" class="small" data-testid="nearby-follow" onClick={() => void follow(r.id)}>
                {t('nearby.follow')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {problem ? <p class="problem">{problem}</p> : null}
    </section>
  );
}
