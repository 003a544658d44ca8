/** One key area: its life, evidence, plan and tasks, duties, figures, levels, documents and steps. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { actionsFor, areaFeatures, categoryRows, pendingExtension, weekdayRows } from '../../../actions/area-logic';
import { caseHash } from '../../../actions/case-logic';
import { me } from '../../../api/flags';
import { ApiError } from '../../../api/http';
import {
  acceptanceReport,
  areaAcceptance,
  areaCases,
  areaDuties,
  areaFigures,
  areaLevels,
  getArea,
  regionShape,
  type Acceptance,
  type Area,
  type AreaDuty,
  type AreaFigures,
  type LevelDay,
} from '../../../api/key-areas';
import type { CaseSummaryOut } from '../../../api/types';
import { statusLabel, t } from '../../../i18n';
import { MapView, type CaseMarker } from '../../map/MapView';
import { useCategoryName } from '../CaseList';
import { AreaActions } from './AreaActions';
import { Deadline, label, LevelMark, ProgressMark, Refusal, StateBadge, when } from './AreaParts';
import { BarChart } from './BarChart';

const CITY_CENTRE = { lat: 30.2741, lng: 120.1551 };
const WEEKDAYS = ['areas.mon', 'areas.tue', 'areas.wed', 'areas.thu', 'areas.fri', 'areas.sat', 'areas.sun'] as const;
const DOCUMENT_STATES = new Set(['accepting', 'lifted', 'watching', 'closed', 'relisted', 'extended']);

/** One read that may fail on its own without taking the page down. */
function useRead<T>(read: () => Promise<T>, deps: unknown[]): { data: T | null; error: unknown } {
  const [state, setState] = useState<{ data: T | null; error: unknown }>({ data: null, error: null });
  useEffect(() => {
    let gone = false;
    read().then(
      (data) => !gone && setState({ data, error: null }),
      (error: unknown) => !gone && setState({ data: null, error }),
    );
    return () => {
      gone = true;
    };
  }, deps);
  return state;
}

export function AreaPage(props: { id: number; token: string; signOut: () => void }) {
  const [version, setVersion] = useState(0);
  const [role, setRole] = useState('');
  const area = useRead(() => getArea(props.token, props.id), [props.token, props.id, version]);
  useEffect(() => void me(props.token).then((u) => setRole(u.role), () => setRole('')), [props.token]);
  useEffect(() => {
    if (area.error instanceof ApiError && area.error.status === 401) props.signOut();
  }, [area.error]);
  const a = area.data;
  const extensionId = a ? pendingExtension(a.events, a.state) : null;
  return (
    <section data-testid="area-page" data-area-id={props.id} data-state={a?.state ?? ''}>
      <p>
        <a href="#/areas" data-testid="back-to-areas">
          ← {t('areas.title')}
        </a>
      </p>
      <Refusal error={area.error} />
      {a ? (
        <>
          <Head area={a} />
          <AreaActions
            area={a}
            token={props.token}
            actions={actionsFor(a.state, role, extensionId !== null)}
            extensionId={extensionId}
            onDone={() => setVersion((n) => n + 1)}
          />
          <div class="area-columns">
            <div>
              <PlanView area={a} />
              <Timeline area={a} />
            </div>
            <div>
              <Evidence area={a} token={props.token} />
              <Duties token={props.token} id={a.id} version={version} />
              <Figures token={props.token} id={a.id} version={version} />
              <Levels token={props.token} id={a.id} />
              <Documents area={a} token={props.token} version={version} />
            </div>
          </div>
        </>
      ) : area.error ? null : (
        <p class="hint">{t('common.loading')}</p>
      )}
    </section>
  );
}

function Head({ area }: { area: Area }) {
  return (
    <div class="area-head">
      <h2 data-testid="area-name">{area.name}</h2>
      <p class="area-facts">
        <StateBadge state={area.state} /> <LevelMark level={area.level} /> {area.tier ? <span class="badge">{label('areaTier', area.tier)}</span> : null}{' '}
        <span>{label('areaType', area.areaType)}</span> · <span>{area.regionName}</span>
        {area.coversRegionName ? <span class="muted"> · {t('areas.covers', { region: area.coversRegionName })}</span> : null}
      </p>
      <p class="area-facts">
        {t('areas.deadline')}: <Deadline area={area} /> · {t('areas.progress')}: <ProgressMark area={area} /> · {t('areas.reports30')}: {area.reports30D}
      </p>
      {area.problems ? <p class="desc">{area.problems}</p> : null}
    </div>
  );
}

function PlanView({ area }: { area: Area }) {
  const plan = area.plan;
  return (
    <div data-testid="area-plan">
      <h3>{t('areas.plan')}</h3>
      {plan ? (
        <dl class="plan-facts">
          <dt>{t('areas.firstResponsible')}</dt>
          <dd>{plan.firstResponsible.name}</dd>
          <dt>{t('areas.directResponsible')}</dt>
          <dd>{plan.directResponsible.name}</dd>
          <dt>{t('areas.lead')}</dt>
          <dd>{plan.lead.name}</dd>
          {plan.cooperating.length ? (
            <>
              <dt>{t('areas.cooperating')}</dt>
              <dd>{plan.cooperating.map((u) => u.name).join('、')}</dd>
            </>
          ) : null}
          <dt>{t('areas.goals')}</dt>
          <dd>{plan.goals}</dd>
          <dt>{t('areas.deadline')}</dt>
          <dd>{plan.deadline}</dd>
        </dl>
      ) : (
        <p class="hint" data-testid="no-plan">
          {t('areas.noPlan')}
        </p>
      )}
      {area.tasks.length ? (
        <div class="table-wrap">
          <table class="dense" data-testid="area-tasks">
            <thead>
              <tr>
                <th scope="col">{t('areas.measure')}</th>
                <th scope="col">{t('areas.owner')}</th>
                <th scope="col">{t('areas.unit')}</th>
                <th scope="col">{t('areas.due')}</th>
                <th scope="col">{t('areas.taskState')}</th>
              </tr>
            </thead>
            <tbody>
              {area.tasks.map((task) => (
                <tr key={task.id} data-testid="area-task" data-task-id={task.id} data-state={task.state} data-overdue={task.overdue}>
                  <td>
                    {task.kind === 'recheck' ? <span class="badge">{t('areas.recheck')}</span> : null}
                    {task.measure}
                  </td>
                  <td>{task.owner.name}</td>
                  <td>{task.unit.name}</td>
                  <td>{when(task.dueAt)}</td>
                  <td>
                    {label('areaTaskState', task.state)}
                    {task.overdue ? <span class="overdue"> {t('tasks.overdue')}</span> : null}
                    {task.late ? <span class="overdue"> {t('areas.late')}</span> : null}
                    {task.reminded ? <span class="badge"> {t('event.remind')}</span> : null}
                    {task.supervised ? <span class="badge supervised"> {t('event.supervise')}</span> : null}
                    {task.doneAt ? <span class="muted"> {when(task.doneAt)}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

function Timeline({ area }: { area: Area }) {
  return (
    <div data-testid="area-timeline">
      <h3>{t('areas.timeline')}</h3>
      <ol class="timeline area-timeline">
        {area.events.map((e, i) => (
          <li key={`${e.at}-${i}`} data-testid="area-event" data-action={e.action} data-to={e.toState}>
            <p>
              <strong>{label('areaEvent', e.action)}</strong>{' '}
              {e.fromState && e.fromState !== e.toState ? (
                <span class="muted">
                  {label('areaState', e.fromState)} → {label('areaState', e.toState)}
                </span>
              ) : null}
            </p>
            <p class="muted">
              {when(e.at)} · {e.actor ?? label('areaRole', e.actorRole)}
              {e.detail && typeof e.detail.level === 'string' ? ` · ${label('hotspots', e.detail.level)}` : ''}
            </p>
            {e.reason ? <p class="desc">{e.reason}</p> : null}
            {e.photos?.length ? (
              <p class="thumbs">
                {e.photos.map((url) => (
                  <a key={url} href={url} target="_blank" rel="noopener">
                    <img src={url} alt={t('areas.photo')} loading="lazy" width={64} height={64} />
                  </a>
                ))}
              </p>
            ) : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

function Evidence(props: { area: Area; token: string }) {
  const cases = useRead(() => areaCases(props.token, props.area.id), [props.token, props.area.id]);
  const items: CaseSummaryOut[] = cases.data?.items ?? [];
  const markers = useMemo<CaseMarker[]>(
    () => items.map((c) => ({ id: c.id, lat: c.lat, lng: c.lng, label: `${c.trackingNo} ${c.description}`.trim(), tone: c.overdue ? 'overdue' : c.status === 'closed' ? 'done' : 'open' })),
    [cases.data],
  );
  // An area on a region of the tree is drawn as that region's outline; a drawn one as itself.
  const covered = useRead(
    () => (props.area.geometry || !props.area.coversRegionCode ? Promise.resolve(null) : regionShape(props.token, props.area.coversRegionCode).catch(() => null)),
    [props.token, props.area.coversRegionCode],
  );
  const shape = useMemo(
    () => areaFeatures([{ ...props.area, geometry: props.area.geometry ?? covered.data?.geometry ?? null }]),
    [props.area, covered.data],
  );
  return (
    <div data-testid="area-evidence">
      <h3>{t('areas.evidence')}</h3>
      <MapView
        centre={CITY_CENTRE}
        zoom={15}
        areas={shape}
        markers={markers}
        onMarker={(id) => (location.hash = caseHash(id))}
        label={t('areas.evidence')}
        testId="area-map"
      />
      <Refusal error={cases.error} />
      <ul class="cards compact" data-testid="area-cases" data-count={items.length}>
        {items.map((c) => (
          <li key={c.id}>
            <a class="card" href={caseHash(c.id)} data-testid="area-case" data-case-id={c.id}>
              <span>{c.trackingNo}</span> <span class="muted">{statusLabel(c.status)}</span> <span class="desc">{c.description}</span>
            </a>
          </li>
        ))}
      </ul>
      {cases.data && items.length === 0 ? <p class="hint">{t('areas.noCases')}</p> : null}
    </div>
  );
}

function Duties(props: { token: string; id: number; version: number }) {
  const duties = useRead<AreaDuty[]>(() => areaDuties(props.token, props.id), [props.token, props.id, props.version]);
  if (!duties.data?.length && !duties.error) return null;
  return (
    <div data-testid="area-duties">
      <h3>{t('areas.duties')}</h3>
      <Refusal error={duties.error} />
      <table class="dense">
        <tbody>
          {(duties.data ?? []).map((d) => (
            <tr key={d.id} data-testid="area-duty" data-kind={d.kind} data-overdue={d.overdue}>
              <th scope="row">{label('areaDuty', d.kind)}</th>
              <td>
                {d.periodStart} – {d.periodEnd}
              </td>
              <td>{d.kind === 'patrols' ? t('areas.target', { target: d.target }) : ''}</td>
              <td>
                {d.doneAt ? t('areas.dutyDone', { at: when(d.doneAt) }) : d.overdue ? <span class="overdue">{t('tasks.overdue')}</span> : t('areas.dutyOpen')}
                {d.supervised ? <span class="badge supervised"> {t('event.supervise')}</span> : d.reminded ? <span class="badge"> {t('event.remind')}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Figures(props: { token: string; id: number; version: number }) {
  const figures = useRead<AreaFigures>(() => areaFigures(props.token, props.id), [props.token, props.id, props.version]);
  const categoryName = useCategoryName();
  const f = figures.data;
  return (
    <div data-testid="area-figures">
      <h3>{t('areas.figures')}</h3>
      <Refusal error={figures.error} />
      {f && f.before && f.after && f.before.total + f.after.total === 0 ? (
        <p class="muted" data-testid="figures-totals">
          {t('areas.beforeAfter', { before: 0, after: 0, since: f.since?.slice(0, 10) ?? '' })}
        </p>
      ) : f && f.before && f.after ? (
        <>
          <p class="muted" data-testid="figures-totals">
            {t('areas.beforeAfter', { before: f.before.total, after: f.after.total, since: f.since?.slice(0, 10) ?? '' })}
          </p>
          <BarChart title={t('areas.byCategory')} testId="figures-category" aLabel={t('areas.before')} bLabel={t('areas.after')} rows={categoryRows(f, categoryName)} />
          <BarChart title={t('areas.byWeekday')} testId="figures-weekday" aLabel={t('areas.before')} bLabel={t('areas.after')} rows={weekdayRows(f, WEEKDAYS.map((k) => t(k)))} />
        </>
      ) : f ? (
        <p class="hint">{t('areas.noFigures')}</p>
      ) : null}
    </div>
  );
}

function Levels(props: { token: string; id: number }) {
  const levels = useRead<LevelDay[]>(() => areaLevels(props.token, props.id), [props.token, props.id]);
  const days = (levels.data ?? []).slice(-60);
  return (
    <div data-testid="area-levels">
      <h3>{t('areas.levels')}</h3>
      <Refusal error={levels.error} />
      {days.length ? (
        <p class="level-strip" role="list">
          {days.map((d) => (
            <span key={d.day} role="listitem" class={`level-day alert-${d.alert}`} title={`${d.day} ${d.alert === 'none' ? '—' : label('hotspots', d.alert)} ${d.reports}`} data-testid="level-day" data-alert={d.alert} />
          ))}
        </p>
      ) : levels.data ? (
        <p class="hint">{t('areas.noLevels')}</p>
      ) : null}
    </div>
  );
}

function Documents(props: { area: Area; token: string; version: number }) {
  const shown = DOCUMENT_STATES.has(props.area.state);
  const acceptance = useRead<Acceptance | null>(
    () => (shown ? areaAcceptance(props.token, props.area.id).catch(() => null) : Promise.resolve(null)),
    [props.token, props.area.id, props.version, shown],
  );
  const [error, setError] = useState<unknown>(null);
  if (!shown) return null;
  const a = acceptance.data;
  return (
    <div data-testid="area-documents">
      <h3>{t('areas.documents')}</h3>
      {a ? (
        <p data-testid="acceptance-status" data-outcome={a.outcome ?? 'open'}>
          {t('areas.acceptance')}: {a.outcome ? label('areaOutcome', a.outcome) : t('areas.acceptanceOpen')}
          {a.measure ? ` · ${t('areas.satisfaction', { satisfied: a.measure.satisfied, answered: a.measure.answered, required: a.measure.requiredPercent })}` : ''}
        </p>
      ) : null}
      {a?.shortfall?.length ? (
        <ul class="shortfall">
          {a.shortfall.map((s) => (
            <li key={s.zh}>
              {s.zh} — {s.en}
            </li>
          ))}
        </ul>
      ) : null}
      <button type="button" class="small" data-testid="acceptance-report" onClick={() => void acceptanceReport(props.token, props.area.id).catch(setError)}>
        {t('areas.acceptanceReport')}
      </button>
      <Refusal error={error} />
    </div>
  );
}
