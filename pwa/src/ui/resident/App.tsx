/** The resident's app: 上报 (report form + outbox) and 我的上报, switched by the URL hash. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { cachedCategories, freshCategories } from '../../actions/local';
import { residentToken } from '../../actions/session';
import type { CategoryOut } from '../../api/types';
import { lang, t } from '../../i18n';
import { errorMessage, Header, UpdateBanner } from '../common';
import { useLang } from '../hooks';
import { onLinkClick, useRoute } from '../route';
import { MyReports } from './MyReports';
import { OutboxStatus } from './OutboxStatus';
import { PushOptIn } from './PushOptIn';
import { ReportDetail } from './ReportDetail';
import { ReportForm } from './ReportForm';
import { SurveyOffer } from './SurveyOffer';
import { useOutbox } from './useOutbox';

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
        <a href="/#/mine" onClick={onLinkClick} class={view !== 'report' ? 'tab active' : 'tab'} data-testid="my-reports">
          {t('nav.mine')}
        </a>
      </nav>
      <main>
        <OutboxStatus outbox={outbox} categories={categories} categoryName={nameOf} />
        <SurveyOffer sentReport={outbox.summary.lastSent?.trackingNo ?? null} />
        {view === 'report' ? (
          <ReportForm categories={categories} categoriesError={categoriesError} categoryName={nameOf} onQueued={outbox.replay} token={token} />
        ) : view === 'mine' ? (
          <>
            <PushOptIn token={token} />
            <MyReports token={token} categoryName={nameOfCode} />
          </>
        ) : (
          <ReportDetail id={route.view === 'detail' ? route.id : 0} token={token} categoryName={nameOfCode} />
        )}
      </main>
    </>
  );
}
