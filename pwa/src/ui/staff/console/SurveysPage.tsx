/** One survey at the console: its facts, the step it may take next (with a confirmation), the
 * answers staff enter while it is open, and its indices by region. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../../api/http';
import { getSurvey, moveSurvey, type SurveyDetail } from '../../../api/survey-admin';
import { lang, t } from '../../../i18n';
import { label, Refusal } from './AreaParts';
import { EntryForm } from './SurveysEntries';
import { IndicesTable } from './SurveysIndices';
import { ConfirmedStep, SurveyStateBadge } from './SurveysParts';

export function SurveyPage(props: { id: number; token: string; signOut: () => void }) {
  const [survey, setSurvey] = useState<SurveyDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const refresh = () => setVersion((n) => n + 1);
  useEffect(() => {
    let gone = false;
    setError(null);
    getSurvey(props.token, props.id).then(
      (got) => !gone && setSurvey(got),
      (e: unknown) => (e instanceof ApiError && e.status === 401 ? props.signOut() : !gone && setError(e)),
    );
    return () => {
      gone = true;
    };
  }, [props.token, props.id, version]);
  if (!survey) {
    return (
      <section data-testid="survey-page">
        <a href="#/surveys">{t('surveys.back')}</a>
        {error ? <Refusal error={error} testId="survey-problem" /> : <p class="hint">{t('common.loading')}</p>}
      </section>
    );
  }
  const s = survey;
  const en = lang() === 'en';
  return (
    <section data-testid="survey-page" data-survey-id={s.id} data-state={s.state} data-answered={s.answered}>
      <div class="section-head">
        <h2 data-testid="survey-name">{en ? s.titleEn : s.title}</h2>
        <a href="#/surveys" class="button-link">
          {t('surveys.back')}
        </a>
      </div>
      <dl class="facts">
        <dt>{t('surveys.stateLabel')}</dt>
        <dd>
          <SurveyStateBadge state={s.state} />
        </dd>
        <dt>{t('surveys.region')}</dt>
        <dd>{s.regionName}</dd>
        <dt>{t('surveys.period')}</dt>
        <dd>
          {s.opensOn} – {s.closesOn}
        </dd>
        <dt>{t('surveys.channels')}</dt>
        <dd>{s.channels.map((c) => label('surveys.channel', c)).join('、')}</dd>
        <dt>{t('surveys.answered')}</dt>
        <dd data-testid="survey-answered">{s.answered}</dd>
      </dl>
      <div class="area-actions action-row">
        {s.state === 'draft' ? (
          <ConfirmedStep id="survey-open" label="surveys.open" question="surveys.openQuestion" run={() => moveSurvey(props.token, s.id, 'open')} onDone={refresh} />
        ) : null}
        {s.state === 'open' ? (
          <ConfirmedStep id="survey-close" label="surveys.close" question="surveys.closeQuestion" run={() => moveSurvey(props.token, s.id, 'close')} onDone={refresh} />
        ) : null}
        {s.state === 'closed' ? (
          <ConfirmedStep id="survey-publish" label="surveys.publish" question="surveys.publishQuestion" run={() => moveSurvey(props.token, s.id, 'publish')} onDone={refresh} />
        ) : null}
      </div>
      {/* The step was taken but the survey could not be read again: what is shown may be behind. */}
      <Refusal error={error} testId="survey-problem" />
      {s.state === 'open' ? <EntryForm token={props.token} survey={s} onDone={refresh} /> : null}
      {s.state !== 'draft' ? <IndicesTable token={props.token} surveyId={s.id} version={version} signOut={props.signOut} /> : null}
    </section>
  );
}
