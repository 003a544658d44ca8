/** The resident's app: 上报 (report form + outbox), 我的上报 and 治安动态, switched by the URL hash. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { cachedCategories, freshCategories } from '../../actions/local';
import { residentToken } from '../../actions/session';
import type { CategoryOut } from '../../api/types';
import { lang, t } from '../../i18n';
import { errorMessage, Header, UpdateBanner } from '../common';
import { useLang } from '../hooks';
import { onLinkClick, useRoute } from '../route';
import { Later } from './Later';
import { OutboxStatus } from './OutboxStatus';
import { ReportForm } from './ReportForm';
import { useOutbox } from './useOutbox';

// Only the report form is in the first load: the other tabs come when first opened.
const areaPage = () => import('./AreaPage').then((m) => m.AreaPage);
const myReports = () => import('./MyReports').then((m) => m.MyReports);
const pushOptIn = () => import('./PushOptIn').then((m) => m.PushOptIn);
const reportDetail = () => import('./ReportDetail').then((m) => m.ReportDetail);
// Survey offers come from the network anyway: the card can wait for its code too.
const surveyOffer = () => import('./SurveyOffer').then((m) => m.SurveyOffer);

export function App() {
  useLang();
  const route = useRoute();
  const outbox = useOutbox();
  const [categories, setCategories] = useState<CategoryOut[]>(cachedCategories);
  const [categoriesError, setCategoriesError] = useState<string | null>(null);

  useEffect(() => {
    freshCategories().then(setCategories, (e: unknown) => setCategoriesError(`${t('form.categoriesFailed')} (${errorMessage(e)})`));
    // Offline at first start: the outbox registers the device when it next sends.
    residentToken(lang()).catch((error: unknown) => console.info('device not registered yet', error));
  }, []);

  const nameOf = useCallback((c: CategoryOut) => (lang() === 'en' ? c.nameEn : c.name), []);
  const nameOfCode = (code: string) => {
    const found = categories.find((c) => c.code === code);
    return found ? nameOf(found) : code;
  };
  const token = () => residentToken(lang());
  const view = route.view;

  return (
    <>
      <Header title={t('app.title')} />
      <UpdateBanner />
      <nav class="tabs">
        <a href="/" onClick={onLinkClick} class={view === 'report' ? 'tab active' : 'tab'} data-testid="new-report">
          {t('nav.report')}
        </a>
        <a href="/#/mine" onClick={onLinkClick} class={view === 'mine' || view === 'detail' ? 'tab active' : 'tab'} data-testid="my-reports">
          {t('nav.mine')}
        </a>
        <a href="/#/area" onClick={onLinkClick} class={view === 'area' ? 'tab active' : 'tab'} data-testid="area-tab">
          {t('nav.area')}
        </a>
      </nav>
      <main>
        <OutboxStatus outbox={outbox} categories={categories} categoryName={nameOf} />
        <Later key="survey-offer" load={surveyOffer} props={{ sentReport: outbox.summary.lastSent?.trackingNo ?? null }} waiting={null} />
        {view === 'report' ? (
          <ReportForm categories={categories} categoriesError={categoriesError} categoryName={nameOf} onQueued={outbox.replay} token={token} />
        ) : view === 'area' ? (
          <Later key="area" load={areaPage} props={{ token }} waiting="areaPage.loading" />
        ) : view === 'mine' ? (
          <>
            <Later key="push-opt-in" load={pushOptIn} props={{ token }} />
            <Later key="mine" load={myReports} props={{ token, categoryName: nameOfCode }} />
          </>
        ) : (
          <Later key={`detail-${route.view === 'detail' ? route.id : 0}`} load={reportDetail} props={{ id: route.view === 'detail' ? route.id : 0, token, categoryName: nameOfCode }} />
        )}
      </main>
    </>
  );
}
