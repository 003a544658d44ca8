/** 重点地区台账: the register (filters, keyset paging) beside its map, and the 排查发现 form. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { areaFeatures, areaHash, NO_FILTER, parsePlace, registerQuery, streetOf, type AreaFilter } from '../../../actions/area-logic';
import { ApiError } from '../../../api/http';
import { AREA_LEVELS, AREA_STATES, AREA_TYPES, createArea, listAreas, locateRegion, type AreaSummary, type AreaType, type GeoJsonGeometry } from '../../../api/key-areas';
import { t, type MessageKey } from '../../../i18n';
import { DrawMap } from '../../map/DrawMap';
import { MapView } from '../../map/MapView';
import { Deadline, label, LevelMark, ProgressMark, Refusal, RegionChoices, StateBadge } from './AreaParts';

const CITY_CENTRE = { lat: 30.2741, lng: 120.1551 };

export function Areas(props: { token: string; signOut: () => void }) {
  const [filter, setFilter] = useState<AreaFilter>(NO_FILTER);
  const [items, setItems] = useState<AreaSummary[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [creating, setCreating] = useState(false);
  const [version, setVersion] = useState(0);

  const fail = (e: unknown) => (e instanceof ApiError && e.status === 401 ? props.signOut() : setError(e));
  useEffect(() => {
    let gone = false;
    setItems(null);
    setError(null);
    listAreas(props.token, registerQuery(filter)).then((page) => {
      if (gone) return;
      setItems(page.items);
      setNext(page.next ?? null);
    }, fail);
    return () => {
      gone = true;
    };
  }, [props.token, filter, version]);

  const more = async () => {
    if (!next) return;
    setBusy(true);
    try {
      const page = await listAreas(props.token, registerQuery(filter, next));
      setItems((had) => [...(had ?? []), ...page.items]);
      setNext(page.next ?? null);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const features = useMemo(() => areaFeatures(items ?? []), [items]);

  return (
    <section data-testid="areas-register">
      <div class="section-head">
        <h2>{t('areas.title')}</h2>
        <span class="area-head-actions">
          <a href="#/meetings" class="button-link" data-testid="nav-meetings-link">
            {t('areas.meetings')}
          </a>
          <button type="button" class="primary-inline" data-testid="area-new-open" aria-expanded={creating} onClick={() => setCreating(!creating)}>
            {t('areas.new')}
          </button>
        </span>
      </div>
      {creating ? (
        <NewArea
          token={props.token}
          onCreated={(id) => {
            setCreating(false);
            location.hash = areaHash(id);
          }}
        />
      ) : null}
      <div class="filters" role="group" aria-label={t('areas.filters')}>
        <FilterSelect name="state" caption="areas.state" values={AREA_STATES} labels="areaState" filter={filter} onChoose={setFilter} />
        <FilterSelect name="type" caption="areas.type" values={AREA_TYPES} labels="areaType" filter={filter} onChoose={setFilter} />
        <FilterSelect name="level" caption="hotspots.level" values={AREA_LEVELS} labels="hotspots" filter={filter} onChoose={setFilter} />
        <button type="button" class="small" data-testid="areas-refresh" onClick={() => setVersion((n) => n + 1)}>
          {t('common.refresh')}
        </button>
      </div>
      <Refusal error={error} />
      <div class="area-split">
        <div class="table-wrap">
          <table class="dense" data-testid="area-table">
            <thead>
              <tr>
                <th scope="col">{t('areas.name')}</th>
                <th scope="col">{t('areas.type')}</th>
                <th scope="col">{t('areas.state')}</th>
                <th scope="col">{t('hotspots.level')}</th>
                <th scope="col">{t('areas.tier')}</th>
                <th scope="col">{t('areas.region')}</th>
                <th scope="col">{t('areas.deadline')}</th>
                <th scope="col">{t('areas.progress')}</th>
                <th scope="col">{t('areas.reports30')}</th>
              </tr>
            </thead>
            <tbody>
              {(items ?? []).map((a) => (
                <tr key={a.id} data-testid="area-row" data-area-id={a.id} data-state={a.state} data-level={a.level ?? ''}>
                  <th scope="row">
                    <a href={areaHash(a.id)} data-testid="area-link">
                      {a.name}
                    </a>
                  </th>
                  <td>{label('areaType', a.areaType)}</td>
                  <td>
                    <StateBadge state={a.state} />
                  </td>
                  <td>
                    <LevelMark level={a.level} />
                  </td>
                  <td>{a.tier ? label('areaTier', a.tier) : '—'}</td>
                  <td>{a.regionName}</td>
                  <td>
                    <Deadline area={a} />
                  </td>
                  <td>
                    <ProgressMark area={a} />
                  </td>
                  <td>{a.reports30D}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {items === null && !error ? <p class="hint">{t('common.loading')}</p> : null}
          {items?.length === 0 ? (
            <p class="hint" data-testid="areas-empty">
              {t('areas.none')}
            </p>
          ) : null}
          {next ? (
            <button type="button" data-testid="areas-more" disabled={busy} onClick={() => void more()}>
              {t('areas.more')}
            </button>
          ) : null}
        </div>
        <MapView centre={CITY_CENTRE} zoom={13} areas={features} onArea={(id) => (location.hash = areaHash(id))} label={t('areas.map')} testId="areas-map" tall />
      </div>
    </section>
  );
}

/** What a "propose as key area" brings to the candidate form: from selected cases, or a spot drawn on the map. */
export interface AreaDraft {
  regionCode?: string;
  /** The region of the tree the area covers (the smallest one holding the selected cases). */
  placeCode?: string;
  placeName?: string;
  geometry?: GeoJsonGeometry;
  caseIds?: number[];
}

/** 排查发现: a candidate on a region of the tree or on an outline drawn on the map (or pasted). */
export function NewArea(props: { token: string; draft?: AreaDraft; onCreated: (id: number) => void; onCancel?: () => void }) {
  const draft = props.draft ?? {};
  const [name, setName] = useState('');
  const [type, setType] = useState<AreaType>('other');
  const [region, setRegion] = useState(draft.regionCode ?? '');
  const [drawn, setDrawn] = useState(Boolean(draft.geometry));
  const [outline, setOutline] = useState<GeoJsonGeometry | null>(draft.geometry ?? null);
  const [geojson, setGeojson] = useState('');
  const [problems, setProblems] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const caseIds = draft.caseIds ?? [];
  const corners = outline && Array.isArray(outline.coordinates) ? Math.max(0, ((outline.coordinates[0] as unknown[]) ?? []).length - 1) : 0;
  // The region an outline lies in, found from its first corner, unless one is chosen already.
  const locate = (first: { lat: number; lng: number }) =>
    locateRegion(props.token, first.lat, first.lng).then(
      (found) => setRegion((had) => had || streetOf(found.chain) || found.region.code),
      (e: unknown) => console.info('region not located', e),
    );
  const drew = (geometry: GeoJsonGeometry, first: { lat: number; lng: number }) => {
    setOutline(geometry);
    if (!region.trim()) void locate(first);
  };
  useEffect(() => {
    const first = firstCorner(draft.geometry);
    if (first && !draft.regionCode) void locate(first);
  }, []);
  const submit = async () => {
    setError(null);
    let place: { regionCode?: string; geometry?: GeoJsonGeometry } = { regionCode: (draft.placeCode ?? region).trim() };
    if (drawn && outline) {
      place = { geometry: outline };
    } else if (drawn) {
      const parsed = parsePlace(geojson);
      if ('problem' in parsed) {
        setError(new Error(t(`areas.${parsed.problem}` as MessageKey)));
        return;
      }
      place = { geometry: parsed.geometry };
    }
    setBusy(true);
    try {
      const area = await createArea(props.token, {
        name: name.trim(),
        areaType: type,
        regionCode: region.trim(),
        place,
        problems: problems.trim(),
        ...(caseIds.length ? { caseIds } : {}),
      });
      props.onCreated(area.mergedInto ?? area.id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="move-form area-form" data-testid="area-new-form" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <div class="form-grid">
        <label class="field">
          <span>{t('areas.name')}</span>
          <input type="text" data-testid="new-area-name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('areas.type')}</span>
          <select data-testid="new-area-type" value={type} onChange={(e) => setType(e.currentTarget.value as AreaType)}>
            {AREA_TYPES.map((s) => (
              <option key={s} value={s}>
                {label('areaType', s)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('areas.regionCode')}</span>
          <input type="text" list="area-regions" data-testid="new-area-region" required value={region} onInput={(e) => setRegion(e.currentTarget.value)} />
          <RegionChoices token={props.token} id="area-regions" />
        </label>
      </div>
      {caseIds.length ? (
        <p class="hint" data-testid="new-area-cases" data-case-ids={caseIds.join(',')}>
          {t('areas.casesLinked', { count: caseIds.length })}
          {draft.placeName && !drawn ? ` · ${t('areas.placeRegion', { region: draft.placeName })}` : ''}
        </p>
      ) : null}
      <label class="switch">
        <input type="checkbox" data-testid="new-area-drawn" checked={drawn} onChange={(e) => setDrawn(e.currentTarget.checked)} />
        <span>{t('areas.drawn')}</span>
      </label>
      {drawn && outline ? (
        <p class="hint" data-testid="new-area-outline">
          {t('areas.outlineDrawn', { count: corners })}{' '}
          <button type="button" class="small" data-testid="new-area-redraw" onClick={() => setOutline(null)}>
            {t('areas.redraw')}
          </button>
        </p>
      ) : null}
      {drawn && !outline ? (
        <>
          <DrawMap centre={CITY_CENTRE} onFinish={drew} testId="new-area-draw" />
          <label class="field">
            <span>
              {t('areas.orPaste')} — {t('areas.geojson')}
            </span>
            <textarea data-testid="new-area-geojson" rows={3} value={geojson} onInput={(e) => setGeojson(e.currentTarget.value)} />
          </label>
        </>
      ) : null}
      <label class="field">
        <span>{t('areas.problems')}</span>
        <textarea data-testid="new-area-problems" rows={2} maxLength={2000} value={problems} onInput={(e) => setProblems(e.currentTarget.value)} />
      </label>
      <Refusal error={error} testId="new-area-problem" />
      <div class="area-head-actions">
        <button type="submit" class="primary" data-testid="new-area-submit" disabled={busy}>
          {t('areas.create')}
        </button>
        {props.onCancel ? (
          <button type="button" class="small" data-testid="new-area-cancel" onClick={props.onCancel}>
            {t('areas.cancelDrawing')}
          </button>
        ) : null}
      </div>
    </form>
  );
}

function firstCorner(geometry: GeoJsonGeometry | undefined): { lat: number; lng: number } | null {
  if (geometry?.type !== 'Polygon' || !Array.isArray(geometry.coordinates)) return null;
  const corner = (geometry.coordinates as number[][][])[0]?.[0];
  return corner && corner.length >= 2 ? { lng: corner[0]!, lat: corner[1]! } : null;
}

/** One filter of the register: "all" or one of its values, each named by its label prefix. */
function FilterSelect(props: {
  name: 'state' | 'type' | 'level';
  caption: MessageKey;
  values: readonly string[];
  labels: string;
  filter: AreaFilter;
  onChoose: (next: AreaFilter) => void;
}) {
  const { name, filter } = props;
  return (
    <label class="field inline">
      <span>{t(props.caption)}</span>
      <select data-testid={`area-filter-${name}`} value={filter[name]} onChange={(e) => props.onChoose({ ...filter, [name]: e.currentTarget.value })}>
        <option value="">{t('areas.all')}</option>
        {props.values.map((s) => (
          <option key={s} value={s}>
            {label(props.labels, s)}
          </option>
        ))}
      </select>
    </label>
  );
}
