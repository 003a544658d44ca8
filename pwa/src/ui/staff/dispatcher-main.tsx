/** /d/ — the dispatcher's console: the live queue, one case, the map, statistics, key areas and meetings, inspections and their ledger, monthly reports, the assessment and the grid workers' performance. */
import { render } from 'preact';
import { oversightTab } from '../../actions/oversight-logic';
import { lang, t, type MessageKey } from '../../i18n';
import '../styles.css';
import { CaseDetail } from './CaseDetail';
import { AreaPage } from './console/AreaPage';
import { useAreaRoute } from './console/AreaParts';
import { Areas } from './console/Areas';
import { CasesMap } from './console/CasesMap';
import { Meetings } from './console/Meetings';
import { OversightPage } from './console/OversightPage';
import { useOversightRoute } from './console/OversightParts';
import { Performance, usePerformanceRoute } from './console/Performance';
import { PublicReports } from './console/PublicReports';
import { Queue } from './console/Queue';
import { Stats } from './console/Stats';
import { Surveys } from './console/Surveys';
import { SurveyPage } from './console/SurveysPage';
import { useSurveyRoute } from './console/SurveysParts';
import { DispatcherActions } from './DispatcherActions';
import { StaffShell } from './StaffShell';
import { useStaffRoute } from './useCaseRoute';

const PAGES: readonly { hash: string; view: string; label: MessageKey }[] = [
  { hash: '#/', view: 'list', label: 'console.queue' },
  { hash: '#/map', view: 'map', label: 'console.map' },
  { hash: '#/stats', view: 'stats', label: 'console.stats' },
  { hash: '#/areas', view: 'areas', label: 'console.areas' },
  { hash: '#/meetings', view: 'meetings', label: 'console.meetings' },
  { hash: '#/surveys', view: 'surveys', label: 'console.surveys' },
  { hash: '#/public-reports', view: 'public-reports', label: 'console.publicReports' },
  { hash: '#/performance', view: 'performance', label: 'console.performance' },
  { hash: '#/inspections', view: 'inspections', label: 'oversight.inspections' },
  { hash: '#/findings', view: 'findings', label: 'oversight.ledger' },
  { hash: '#/monthly-reports', view: 'monthly-reports', label: 'oversight.monthly' },
  { hash: '#/assessment', view: 'assessment', label: 'oversight.assessment' },
];

function DispatcherView(props: { token: string; signOut: () => void }) {
  const route = useStaffRoute();
  const areaRoute = useAreaRoute();
  const surveyRoute = useSurveyRoute();
  const oversightRoute = useOversightRoute();
  const performanceRoute = usePerformanceRoute();
  const areaTab = areaRoute ? (areaRoute.view === 'area' ? 'areas' : areaRoute.view) : route.view;
  const surveyTab = surveyRoute ? (surveyRoute.view === 'survey' ? 'surveys' : surveyRoute.view) : areaTab;
  const current = performanceRoute ? 'performance' : oversightRoute ? oversightTab(oversightRoute) : surveyTab;
  const page =
    performanceRoute ? (
      <Performance token={props.token} signOut={props.signOut} />
    ) : oversightRoute ? (
      <OversightPage route={oversightRoute} token={props.token} signOut={props.signOut} />
    ) : surveyRoute?.view === 'survey' ? (
      <SurveyPage key={surveyRoute.id} id={surveyRoute.id} token={props.token} signOut={props.signOut} />
    ) : surveyRoute?.view === 'surveys' ? (
      <Surveys token={props.token} signOut={props.signOut} />
    ) : surveyRoute?.view === 'public-reports' ? (
      <PublicReports token={props.token} signOut={props.signOut} />
    ) : areaRoute?.view === 'area' ? (
      <AreaPage key={areaRoute.id} id={areaRoute.id} token={props.token} signOut={props.signOut} />
    ) : areaRoute?.view === 'areas' ? (
      <Areas token={props.token} signOut={props.signOut} />
    ) : areaRoute?.view === 'meetings' ? (
      <Meetings token={props.token} signOut={props.signOut} />
    ) : route.view === 'case' ? (
      <CaseDetail
        id={route.id}
        token={props.token}
        signOut={props.signOut}
        showReporter
        areaLinks
        actions={(item, run, busy) => <DispatcherActions item={item} token={props.token} run={run} busy={busy} />}
      />
    ) : route.view === 'map' ? (
      <CasesMap token={props.token} signOut={props.signOut} />
    ) : route.view === 'stats' ? (
      <Stats token={props.token} signOut={props.signOut} />
    ) : (
      <Queue token={props.token} signOut={props.signOut} />
    );
  return (
    <>
      <nav class="tabs scroll console-nav" aria-label={t('console.nav')}>
        {PAGES.map((p) => (
          <a key={p.view} href={p.hash} class={current === p.view ? 'tab active' : 'tab'} data-testid={`nav-${p.view}`}>
            {t(p.label)}
          </a>
        ))}
      </nav>
      {page}
    </>
  );
}

document.documentElement.lang = lang();
const root = document.getElementById('app');
if (root) render(<StaffShell title={t('app.dispatcherTitle')}>{(token, signOut) => <DispatcherView token={token} signOut={signOut} />}</StaffShell>, root);
