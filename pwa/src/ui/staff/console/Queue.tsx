/** 案件队列: status tabs with counts, the API's filters, more on demand, kept current by the live feed. */
import { useEffect, useState } from 'preact/hooks';
import { areaHash } from '../../../actions/area-logic';
import { cachedCategories } from '../../../actions/local';
import { ApiError } from '../../../api/http';
import { proposeFromCases } from '../../../api/key-areas';
import { listCases, listRegions, type QueueFilter } from '../../../api/staff';
import type { CasePageOut, CaseSummaryOut, RegionNodeOut } from '../../../api/types';
import { lang, statusLabel, t } from '../../../i18n';
import { errorMessage } from '../../common';
import { CaseList } from '../CaseList';
import { NewArea, type AreaDraft } from './Areas';
import { Refusal } from './AreaParts';
import { useLive } from './useLive';

const TABS = ['submitted', 'dispatched', 'accepted', 'resolved', 'closed', 'rejected', 'merged'] as const;

interface Props {
  token: string;
  signOut: () => void;
}

export function Queue(props: Props) {
  const [filter, setFilter] = useState<QueueFilter>({ status: 'submitted' });
  const [page, setPage] = useState<CasePageOut | null>(null);
  const [changed, setChanged] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [proposing, setProposing] = useState(false);

  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.status === 401) props.signOut();
    else setError(errorMessage(e));
  };
  const load = () =>
    listCases(props.token, { ...filter, status: filter.status === 'all' ? undefined : filter.status }).then((p) => {
      setError(null);
      setPage(p);
    }, fail);
  useEffect(() => void load(), [props.token, filter]);
  const live = useLive(
    props.token,
    (changes) => {
      setChanged(new Set(changes.map((c) => c.caseId)));
      void load();
    },
    props.signOut,
  );

  const more = async () => {
    if (!page?.nextCursor) return;
    setLoadingMore(true);
    try {
      const next = await listCases(props.token, { ...filter, status: filter.status === 'all' ? undefined : filter.status }, page.nextCursor);
      setPage({ ...next, items: [...page.items, ...next.items] });
    } catch (e) {
      fail(e);
    } finally {
      setLoadingMore(false);
    }
  };

  const counts = page?.counts ?? {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return (
    <section>
      <div class="section-head">
        <h2>{t('queue.title')}</h2>
        <span class={`live live-${live}`} role="status" data-testid="live-state" data-state={live}>
          {t(`live.${live}`)}
        </span>
        <button type="button" class="small" data-testid="refresh" onClick={() => void load()}>
          {t('common.refresh')}
        </button>
        <button type="button" class="small" data-testid="queue-propose-open" aria-expanded={proposing} onClick={() => setProposing(!proposing)}>
          {t('areas.propose')}
        </button>
      </div>
      {proposing && page ? <ProposeFromCases token={props.token} items={page.items} onCancel={() => setProposing(false)} /> : null}
      <nav class="tabs scroll" role="tablist">
        {[...TABS, 'all'].map((s) => (
          <button
            type="button"
            role="tab"
            key={s}
            aria-selected={s === filter.status}
            class={s === filter.status ? 'tab active' : 'tab'}
            data-testid={`tab-${s}`}
            onClick={() => setFilter({ ...filter, status: s })}
          >
            {statusLabel(s)}{' '}
            <span class="count" data-testid={`count-${s}`}>
              {s === 'all' ? total : (counts[s] ?? 0)}
            </span>
          </button>
        ))}
      </nav>
      <Filters token={props.token} filter={filter} onChange={setFilter} />
      {error ? <p class="problem">{t('common.error', { message: error })}</p> : null}
      {page ? <CaseList items={page.items} empty={t('queue.empty')} highlight={changed} areaLinks /> : <p class="hint">{t('common.loading')}</p>}
      {page?.nextCursor ? (
        <button type="button" class="more" data-testid="more" disabled={loadingMore} onClick={() => void more()}>
          {loadingMore ? t('common.loading') : t('queue.more')}
        </button>
      ) : null}
    </section>
  );
}

function Filters(props: { token: string; filter: QueueFilter; onChange: (f: QueueFilter) => void }) {
  const { filter, onChange } = props;
  const [text, setText] = useState(filter.q ?? '');
  const [regions, setRegions] = useState<RegionNodeOut[]>([]);
  useEffect(() => void listRegions(props.token).then(setRegions, (e: unknown) => console.info('regions not listed', e)), [props.token]);
  const categories = cachedCategories();
  return (
    <form class="filters" role="search" onSubmit={(e) => (e.preventDefault(), onChange({ ...filter, q: text }))}>
      <label class="field">
        <span>{t('filter.search')}</span>
        <input type="search" data-testid="filter-q" maxLength={100} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t('filter.category')}</span>
        <select data-testid="filter-category" value={filter.category ?? ''} onChange={(e) => onChange({ ...filter, category: e.currentTarget.value || undefined })}>
          <option value="">{t('filter.any')}</option>
          {categories.map((c) => (
            <option key={c.code} value={c.code}>
              {lang() === 'en' ? c.nameEn : c.name}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>{t('filter.region')}</span>
        <select data-testid="filter-region" value={filter.region ?? ''} onChange={(e) => onChange({ ...filter, region: e.currentTarget.value || undefined })}>
          <option value="">{t('filter.any')}</option>
          {regions.map((r) => (
            <option key={r.code} value={r.code}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      <label class="switch">
        <input type="checkbox" data-testid="filter-overdue" checked={Boolean(filter.overdue)} onChange={(e) => onChange({ ...filter, overdue: e.currentTarget.checked })} />
        <span>{t('filter.overdue')}</span>
      </label>
      <button type="submit" class="small">
        {t('filter.apply')}
      </button>
    </form>
  );
}

/** 建议列为重点地区: tick a few cases of the queue; the candidate lies in their common street and links them. */
function ProposeFromCases(props: { token: string; items: CaseSummaryOut[]; onCancel: () => void }) {
  const [selected, setSelected] = useState<number[]>([]);
  const [draft, setDraft] = useState<AreaDraft | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const toggle = (id: number, on: boolean) => setSelected((had) => (on ? [...had.filter((i) => i !== id), id] : had.filter((i) => i !== id)));
  const propose = async () => {
    setBusy(true);
    setError(null);
    try {
      const found = await proposeFromCases(props.token, selected);
      setDraft({ regionCode: found.regionCode, placeCode: found.placeCode, placeName: found.placeName, caseIds: found.caseIds });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (draft) {
    return <NewArea token={props.token} draft={draft} onCreated={(id) => (location.hash = areaHash(id))} onCancel={props.onCancel} />;
  }
  return (
    <div class="move-form propose-cases" data-testid="propose-cases">
      <p class="hint">{t('areas.proposeHint')}</p>
      <ul class="propose-list">
        {props.items.map((c) => (
          <li key={c.id}>
            <label class="switch">
              <input
                type="checkbox"
                data-testid="propose-case"
                data-case-id={c.id}
                aria-label={t('areas.selectCase', { no: c.trackingNo })}
                checked={selected.includes(c.id)}
                onChange={(e) => toggle(c.id, e.currentTarget.checked)}
              />
              <span>
                {c.trackingNo} · {c.region.name} · {c.description}
              </span>
            </label>
          </li>
        ))}
      </ul>
      <Refusal error={error} testId="propose-problem" />
      <div class="area-head-actions">
        <span class="muted" data-testid="propose-count">
          {t('areas.selected', { count: selected.length })}
        </span>
        <button type="button" class="primary-inline" data-testid="propose-submit" disabled={busy || selected.length === 0} onClick={() => void propose()}>
          {t('areas.proposeFromCases')}
        </button>
        <button type="button" class="small" onClick={props.onCancel}>
          {t('areas.cancelDrawing')}
        </button>
      </div>
    </div>
  );
}
