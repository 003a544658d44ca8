/** The page of a 督导检查 or 考核 route: a list, or one inspection, finding or result. */
import type { OversightRoute } from '../../../actions/oversight-logic';
import { Assessment } from './Assessment';
import { ResultPage } from './AssessmentResult';
import { FindingPage } from './FindingPage';
import { Findings } from './Findings';
import { InspectionPage, Inspections } from './Inspections';
import { MonthlyReports } from './MonthlyReports';

export function OversightPage(props: { route: OversightRoute; token: string; signOut: () => void }) {
  const { route, token, signOut } = props;
  if (route.view === 'inspection') return <InspectionPage key={route.id} id={route.id} token={token} signOut={signOut} />;
  if (route.view === 'finding') return <FindingPage key={route.id} id={route.id} token={token} signOut={signOut} />;
  if (route.view === 'result') return <ResultPage key={route.id} id={route.id} token={token} signOut={signOut} />;
  if (route.view === 'findings') return <Findings token={token} signOut={signOut} />;
  if (route.view === 'monthly-reports') return <MonthlyReports token={token} signOut={signOut} />;
  if (route.view === 'assessment') return <Assessment token={token} signOut={signOut} />;
  return <Inspections token={token} signOut={signOut} />;
}
