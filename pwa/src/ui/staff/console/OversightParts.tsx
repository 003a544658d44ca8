/** Small pieces the 督导检查 and 考核 screens share: the route, state badges, the units one may
 * name (regions by code, departments by id). */
import { useEffect, useState } from 'preact/hooks';
import { oversightRoute, type OversightRoute } from '../../../actions/oversight-logic';
import { inspectionDepartments } from '../../../api/oversight';
import { listRegions } from '../../../api/staff';
import type { RegionNodeOut } from '../../../api/types';
import { lang, t } from '../../../i18n';
import { label } from './AreaParts';

/** The oversight page the hash names, following hash changes; null on the console's other pages. */
export function useOversightRoute(): OversightRoute | null {
  const [route, setRoute] = useState<OversightRoute | null>(() => oversightRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(oversightRoute(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function FindingStateBadge(props: { state: string; overdue?: boolean }) {
  return (
    <span class={`area-state finding-state-${props.state}`} data-testid="finding-state" data-state={props.state}>
      {label('oversight.findingState', props.state)}
      {props.overdue ? <span class="overdue"> {t('tasks.overdue')}</span> : null}
    </span>
  );
}

export function ReportStateBadge(props: { state: string }) {
  return (
    <span class={`area-state report-state-${props.state}`} data-testid="report-state" data-state={props.state}>
      {label('oversight.reportState', props.state)}
    </span>
  );
}

/** A department the caller has seen answer for something (a finding, a monthly report). */
export interface DepartmentChoice {
  id: number;
  name: string;
}

/** Regions of the caller's scope and the departments known to it, as one datalist: a region by
 * its code, a department by its number. */
export function UnitChoices(props: { token: string; id: string }) {
  const [regions, setRegions] = useState<RegionNodeOut[]>([]);
  const [departments, setDepartments] = useState<DepartmentChoice[]>([]);
  useEffect(() => {
    let gone = false;
    listRegions(props.token).then(
      async (roots) => {
        const children = await Promise.all(roots.filter((r) => r.childCount > 0).map((r) => listRegions(props.token, r.code).catch(() => [])));
        if (!gone) setRegions([...roots, ...children.flat()]);
      },
      () => {},
    );
    knownDepartments(props.token).then((found) => !gone && setDepartments(found), () => {});
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
      {departments.map((d) => (
        <option key={`d${d.id}`} value={String(d.id)}>
          {t('oversight.departmentChoice', { name: d.name })}
        </option>
      ))}
    </datalist>
  );
}

/** The departments an inspection may name: those of the caller's subtree, in the reader's language. */
export async function knownDepartments(token: string): Promise<DepartmentChoice[]> {
  const english = lang() === 'en';
  return (await inspectionDepartments(token)).map((d) => ({ id: d.id, name: english ? d.nameEn : d.name }));
}
