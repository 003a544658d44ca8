/** Small pieces the key-area screens share: labels, marks, the refusal line, region choices. */
import { useEffect, useState } from 'preact/hooks';
import { areaRoute, bilingual, deadlineTone, lateCount, progressPercent, progressText, type AreaRoute } from '../../../actions/area-logic';
import { ApiError } from '../../../api/http';
import type { AreaSummary } from '../../../api/key-areas';
import { listRegions } from '../../../api/staff';
import type { RegionNodeOut } from '../../../api/types';
import { lang, t, type MessageKey } from '../../../i18n';
import { zhCN } from '../../../i18n/zh-CN';
import { errorMessage } from '../../common';

/** A label from the key `${prefix}.${value}`, or the raw value when the API grows a new one. */
export function label(prefix: string, value: string): string {
  const key = `${prefix}.${value}` as MessageKey;
  return key in zhCN ? t(key) : value;
}

export function StateBadge(props: { state: string }) {
  return (
    <span class={`area-state state-${props.state}`} data-testid="area-state" data-state={props.state}>
      {label('areaState', props.state)}
    </span>
  );
}

export function LevelMark(props: { level: string | null }) {
  if (!props.level) return <span class="muted">—</span>;
  return (
    <span class={`level level-${props.level}`} data-testid="area-level" data-level={props.level}>
      {label('hotspots', props.level)}
    </span>
  );
}

export function Deadline(props: { area: Pick<AreaSummary, 'deadline' | 'overdue'> }) {
  const tone = deadlineTone(props.area, new Date());
  return (
    <span class={`deadline tone-${tone}`} data-testid="area-deadline" data-tone={tone}>
      {props.area.deadline ?? '—'}
      {tone === 'overdue' ? ` ${t('tasks.overdue')}` : ''}
    </span>
  );
}

/** 完成/总数 with a bar, and what is late. */
export function ProgressMark(props: { area: Pick<AreaSummary, 'progress'> }) {
  const p = props.area.progress;
  const late = lateCount(p);
  return (
    <span class="progress" data-testid="area-progress" data-done={p.done} data-tasks={p.tasks} data-overdue={late}>
      <span class="progress-text">{progressText(p)}</span>
      {p.tasks > 0 ? <progress max={100} value={progressPercent(p)} aria-hidden="true" /> : null}
      {late > 0 ? <span class="overdue"> {t('areas.lateCount', { count: late })}</span> : null}
    </span>
  );
}

/** The server's refusal, both languages, shown where the step was tried. */
export function Refusal(props: { error: unknown; testId?: string }) {
  if (!props.error) return null;
  const text =
    props.error instanceof ApiError ? bilingual({ message: props.error.message, messageEn: props.error.messageEn }, lang() === 'en') : errorMessage(props.error);
  return (
    <p class="problem" role="alert" data-testid={props.testId ?? 'area-problem'}>
      {text}
    </p>
  );
}

/** The caller's root region and the regions under it, offered as a datalist. */
export function RegionChoices(props: { token: string; id: string }) {
  const [regions, setRegions] = useState<RegionNodeOut[]>([]);
  useEffect(() => {
    let gone = false;
    listRegions(props.token).then(
      async (roots) => {
        const children = await Promise.all(roots.filter((r) => r.childCount > 0).map((r) => listRegions(props.token, r.code).catch(() => [])));
        if (!gone) setRegions([...roots, ...children.flat()]);
      },
      () => {},
    );
    return () => {
      gone = true;
    };
  }, [props.token]);
  return (
    <datalist id={props.id}>
      {regions.map((r) => (
        <option key={r.code} value={r.code}>
          {r.name}
        </option>
      ))}
    </datalist>
  );
}

/** A date-time as the desk reads it: local, to the minute. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(lang() === 'en' ? 'en-GB' : 'zh-CN', { dateStyle: 'short', timeStyle: 'short' });
}

/** The key-area page the hash names, following hash changes; null on the console's other pages. */
export function useAreaRoute(): AreaRoute | null {
  const [route, setRoute] = useState<AreaRoute | null>(() => areaRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(areaRoute(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
