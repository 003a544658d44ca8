/** 合并重复: nearby open cases of the same kind, one of them side by side with this case, then merge. */
import { useEffect, useState } from 'preact/hooks';
import { metresBetween } from '../../actions/coords';
import { getCase, merge } from '../../api/cases';
import { nearbyReports } from '../../api/resident';
import type { CaseOut, NearbyReportOut } from '../../api/types';
import { statusLabel, t } from '../../i18n';
import { Photos } from '../case-parts';
import { errorMessage } from '../common';
import type { MoveProps } from './DispatcherForms';

export function MergeForm({ item, token, run, busy }: MoveProps) {
  const [candidates, setCandidates] = useState<NearbyReportOut[] | null>(null);
  const [chosen, setChosen] = useState<CaseOut | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState('');

  useEffect(() => {
    nearbyReports(token, item.lat, item.lng, item.category).then(
      (list) => setCandidates(list.filter((c) => c.id !== item.id)),
      (e: unknown) => setProblem(errorMessage(e)),
    );
  }, [item.id]);

  const compare = (id: number) => {
    setProblem(null);
    getCase(token, id).then(setChosen, (e: unknown) => setProblem(errorMessage(e)));
  };

  return (
    <div class="move-form" data-testid="merge-form">
      {problem ? <p class="problem">{problem}</p> : null}
      {candidates === null ? <p class="hint">{t('common.loading')}</p> : null}
      {candidates?.length === 0 ? <p class="hint" data-testid="merge-none">{t('merge.none')}</p> : null}
      <ul class="cards">
        {(candidates ?? []).map((c) => (
          <li key={c.id}>
            <button type="button" class={chosen?.id === c.id ? 'card chosen' : 'card'} data-testid="merge-candidate" onClick={() => compare(c.id)}>
              {c.trackingNo} · {statusLabel(c.status)} · {t('nearby.distance', { metres: Math.round(c.distanceM) })}
            </button>
          </li>
        ))}
      </ul>
      {chosen ? (
        <>
          <div class="side-by-side" data-testid="merge-compare">
            <CaseColumn title={t('merge.this')} item={item} />
            <CaseColumn title={t('merge.master')} item={chosen} distance={metresBetween(item, chosen)} />
          </div>
          <label class="field">
            <span>{t('merge.note')}</span>
            <textarea data-testid="merge-note" rows={2} maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
          <button
            type="button"
            class="primary"
            data-testid="merge-submit"
            disabled={busy}
            onClick={() => void run(() => merge(token, item.id, item.version, chosen.id, note.trim()))}
          >
            {t('merge.submit', { trackingNo: chosen.trackingNo })}
          </button>
        </>
      ) : null}
    </div>
  );
}

function CaseColumn(props: { title: string; item: CaseOut; distance?: number }) {
  const { item } = props;
  return (
    <section class="column">
      <h4>{props.title}</h4>
      <p>
        <strong>{item.trackingNo}</strong> · {statusLabel(item.status)}
      </p>
      <p class="muted">{new Date(item.createdAt).toLocaleString()}</p>
      {props.distance !== undefined ? <p class="muted">{t('nearby.distance', { metres: Math.round(props.distance) })}</p> : null}
      {item.address ? <p class="muted">{item.address}</p> : null}
      <p class="desc">{item.description || '—'}</p>
      <Photos title={t('case.photos')} photos={item.photos} />
    </section>
  );
}
