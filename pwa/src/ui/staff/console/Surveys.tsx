/** 群众安全感调查: the surveys of the caller's region with their state, and a new one started from
 * the standard 安全感 questionnaire. */
import { useEffect, useState } from 'preact/hooks';
import { isoDay, quarterEnd, surveyHash } from '../../../actions/survey-logic';
import { ApiError } from '../../../api/http';
import { createSurvey, listSurveys, standardSafety, SURVEY_CHANNELS, SURVEY_STATES, type SurveyChannel, type SurveyListItem, type SurveyState } from '../../../api/survey-admin';
import type { SurveyQuestion } from '../../../api/surveys';
import { lang, messagesIn, textIn, t } from '../../../i18n';
import { label, Refusal, RegionChoices } from './AreaParts';
import { SurveyStateBadge } from './SurveysParts';

export function Surveys(props: { token: string; signOut: () => void }) {
  const [state, setState] = useState<SurveyState | ''>('');
  const [items, setItems] = useState<SurveyListItem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const en = lang() === 'en';
  useEffect(() => {
    let gone = false;
    setItems(null);
    setError(null);
    listSurveys(props.token, { state }).then(
      (got) => !gone && setItems(got),
      (e: unknown) => (e instanceof ApiError && e.status === 401 ? props.signOut() : !gone && setError(e)),
    );
    return () => {
      gone = true;
    };
  }, [props.token, state]);
  return (
    <section data-testid="surveys">
      <div class="section-head">
        <h2>{t('surveys.title')}</h2>
        <span class="area-head-actions">
          <a href="#/public-reports" class="button-link" data-testid="surveys-reports-link">
            {t('console.publicReports')}
          </a>
          <button type="button" class="primary-inline" data-testid="survey-new-open" aria-expanded={creating} onClick={() => setCreating(!creating)}>
            {t('surveys.new')}
          </button>
        </span>
      </div>
      {creating ? <NewSurvey token={props.token} onCreated={(id) => (location.hash = surveyHash(id))} /> : null}
      <div class="filters" role="group" aria-label={t('areas.filters')}>
        <label class="field inline">
          <span>{t('surveys.stateLabel')}</span>
          <select data-testid="survey-filter-state" value={state} onChange={(e) => setState(e.currentTarget.value as SurveyState | '')}>
            <option value="">{t('areas.all')}</option>
            {SURVEY_STATES.map((s) => (
              <option key={s} value={s}>
                {label('surveys.state', s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Refusal error={error} testId="surveys-problem" />
      <div class="table-wrap">
        <table class="dense" data-testid="survey-table">
          <thead>
            <tr>
              <th scope="col">{t('surveys.name')}</th>
              <th scope="col">{t('surveys.purpose')}</th>
              <th scope="col">{t('surveys.region')}</th>
              <th scope="col">{t('surveys.period')}</th>
              <th scope="col">{t('surveys.stateLabel')}</th>
              <th scope="col">{t('surveys.answered')}</th>
            </tr>
          </thead>
          <tbody>
            {(items ?? []).map((s) => (
              <tr key={s.id} data-testid="survey-row" data-survey-id={s.id} data-state={s.state}>
                <th scope="row">
                  <a href={surveyHash(s.id)} data-testid="survey-link">
                    {en ? s.titleEn : s.title}
                  </a>
                </th>
                <td>{label('surveys.purposeOf', s.purpose)}</td>
                <td>{s.regionName}</td>
                <td>
                  {s.opensOn} – {s.closesOn}
                </td>
                <td>
                  <SurveyStateBadge state={s.state} />
                </td>
                <td>{s.answered}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {items === null && !error ? <p class="hint">{t('common.loading')}</p> : null}
        {items?.length === 0 ? (
          <p class="hint" data-testid="surveys-empty">
            {t('surveys.none')}
          </p>
        ) : null}
      </div>
    </section>
  );
}

/** 新建安全感调查: the standard questionnaire, a title in both languages, the region, the period, the channels. */
function NewSurvey(props: { token: string; onCreated: (id: number) => void }) {
  const today = new Date();
  const [questions, setQuestions] = useState<SurveyQuestion[] | null>(null);
  const [title, setTitle] = useState(textIn('zh-CN', 'surveys.defaultTitle'));
  const [titleEn, setTitleEn] = useState('');
  // The English default title comes with the English strings, fetched on demand.
  useEffect(() => {
    messagesIn('en').then(
      (en) => setTitleEn((typed) => typed || en['surveys.defaultTitle']),
      () => undefined,
    );
  }, []);
  const [region, setRegion] = useState('');
  const [opensOn, setOpensOn] = useState(isoDay(today));
  const [closesOn, setClosesOn] = useState(quarterEnd(today));
  const [channels, setChannels] = useState<SurveyChannel[]>([...SURVEY_CHANNELS]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const en = lang() === 'en';
  useEffect(() => {
    standardSafety(props.token).then(setQuestions, setError);
  }, [props.token]);
  const toggle = (c: SurveyChannel, on: boolean) => setChannels(on ? SURVEY_CHANNELS.filter((x) => x === c || channels.includes(x)) : channels.filter((x) => x !== c));
  const submit = async () => {
    if (!questions) return;
    setBusy(true);
    setError(null);
    try {
      const made = await createSurvey(props.token, {
        title: title.trim(),
        titleEn: titleEn.trim(),
        questions,
        opensOn,
        closesOn,
        purpose: 'safety',
        regionCode: region.trim(),
        channels,
      });
      props.onCreated(made.id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="move-form area-form" data-testid="survey-new-form" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <div class="form-grid">
        <label class="field">
          <span>{t('surveys.titleZh')}</span>
          <input type="text" data-testid="survey-title" required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('surveys.titleEn')}</span>
          <input type="text" data-testid="survey-title-en" required maxLength={200} value={titleEn} onInput={(e) => setTitleEn(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('areas.regionCode')}</span>
          <input type="text" list="survey-regions" data-testid="survey-region" required value={region} onInput={(e) => setRegion(e.currentTarget.value)} />
          <RegionChoices token={props.token} id="survey-regions" />
        </label>
        <label class="field">
          <span>{t('surveys.opensOn')}</span>
          <input type="date" data-testid="survey-opens" required value={opensOn} onInput={(e) => setOpensOn(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('surveys.closesOn')}</span>
          <input type="date" data-testid="survey-closes" required min={opensOn} value={closesOn} onInput={(e) => setClosesOn(e.currentTarget.value)} />
        </label>
      </div>
      <fieldset class="plan-cooperating" data-testid="survey-channels">
        <legend>{t('surveys.channels')}</legend>
        {SURVEY_CHANNELS.map((c) => (
          <label key={c} class="switch">
            <input type="checkbox" data-testid={`survey-channel-${c}`} checked={channels.includes(c)} onChange={(e) => toggle(c, e.currentTarget.checked)} />
            <span>{label('surveys.channel', c)}</span>
          </label>
        ))}
      </fieldset>
      {questions ? (
        <details data-testid="survey-questions" data-count={questions.length}>
          <summary>{t('surveys.questions', { n: questions.length })}</summary>
          <ol>
            {questions.map((q) => (
              <li key={q.key}>
                {en ? q.en : q.zh}
                {q.standard ? <span class="muted"> · {label('surveys.figure', q.standard)}</span> : null}
              </li>
            ))}
          </ol>
        </details>
      ) : (
        <p class="hint">{t('common.loading')}</p>
      )}
      <Refusal error={error} testId="survey-new-problem" />
      <button type="submit" class="primary-inline" data-testid="survey-create" disabled={busy || !questions || channels.length === 0}>
        {t('surveys.create')}
      </button>
    </form>
  );
}
