/**
 * 问卷邀请: a quiet card for each open survey offered to this phone, the state of the answers
 * kept on it (waiting, sent, refused), and the questionnaire, loaded only when a survey is offered.
 */
import type { FunctionComponent } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Fix } from '../../actions/geo';
import { locate } from '../../actions/geo';
import { answerStatus, offersToShow, type QueuedAnswer } from '../../actions/survey-queue';
import { fetchOffers, keepAnswer, listAnswers, listenAnswers, removeAnswer, sendAnswers } from '../../actions/survey-runner';
import type { AnswerValue, SurveyOffer as Offer } from '../../api/surveys';
import { lang, t } from '../../i18n';
import { useOnline } from '../hooks';
import type { SurveyFormProps } from './SurveyForm';

const RETRY_EVERY_MS = 60_000;
/** A sent answer says so for a day, then the card goes quiet. */
const SHOW_SENT_MS = 24 * 3600 * 1000;

/** `sentReport`: the tracking number of the last report sent, so a new report brings new offers. */
export function SurveyOffer({ sentReport }: { sentReport: string | null }) {
  const online = useOnline();
  const [point, setPoint] = useState<Fix | null>(null);
  const [offers, setOffers] = useState<Offer[]>([]);
  const [kept, setKept] = useState<QueuedAnswer[]>([]);
  const [opened, setOpened] = useState<Offer | null>(null);
  const [Form, setForm] = useState<FunctionComponent<SurveyFormProps> | null>(null);

  const reload = useCallback(() => {
    listAnswers().then(setKept, () => {});
  }, []);
  const send = useCallback(() => {
    if (!navigator.onLine) return;
    sendAnswers().catch(() => 'later' as const).finally(reload);
  }, [reload]);

  useEffect(() => {
    reload();
    send();
    locate(15000).then(setPoint, () => {});
    const stop = listenAnswers(reload);
    window.addEventListener('online', send);
    const timer = window.setInterval(send, RETRY_EVERY_MS);
    return () => {
      stop();
      window.removeEventListener('online', send);
      window.clearInterval(timer);
    };
  }, [reload, send]);

  const lat = point?.lat;
  const lng = point?.lng;
  useEffect(() => {
    let stale = false;
    const where = lat !== undefined && lng !== undefined ? { lat, lng } : null;
    // The offer is a courtesy: without it (offline, no device yet) the app works the same.
    fetchOffers(where).then(
      (found) => stale || setOffers(found),
      (e: unknown) => console.info('surveys not fetched', e),
    );
    return () => {
      stale = true;
    };
  }, [lat?.toFixed(4), lng?.toFixed(4), sentReport]);

  const shown = offersToShow(offers, kept);
  useEffect(() => {
    // Loaded while online, so the questionnaire opens offline too.
    if (shown.length > 0 && !Form) {
      import('./SurveyForm').then((m) => setForm(() => m.SurveyForm), (e: unknown) => console.info('questionnaire not loaded', e));
    }
  }, [shown.length > 0, Form]);

  const submit = async (offer: Offer, answers: Record<string, AnswerValue>) => {
    await keepAnswer({
      surveyId: offer.id,
      title: offer.title,
      titleEn: offer.titleEn,
      answers,
      ...(lat !== undefined && lng !== undefined ? { lat, lng } : {}),
      createdAt: Date.now(),
      state: 'pending',
      attempts: 0,
    });
    setOpened(null);
    reload();
    send();
  };

  const en = lang() === 'en';
  const recent = kept.filter((a) => a.state !== 'sent' || Date.now() - (a.sentAt ?? 0) < SHOW_SENT_MS);
  if (shown.length === 0 && recent.length === 0) return null;
  return (
    <section class="surveys" aria-live="polite" data-testid="surveys">
      {shown.map((offer) => (
        <div key={offer.id} class="survey-card" data-testid="survey-offer" data-survey={offer.id}>
          <p class="survey-invite">{t('survey.invite')}</p>
          <p class="survey-title">{en ? offer.titleEn : offer.title}</p>
          <button type="button" class="small primary-inline" data-testid="survey-open" disabled={!Form} onClick={() => setOpened(offer)}>
            {t('survey.open')}
          </button>
        </div>
      ))}
      {recent.map((answer) => {
        const key = answerStatus(answer, online);
        return (
          <div key={answer.surveyId} class={`survey-status survey-${key}`} data-testid="survey-status" data-state={key} data-survey={answer.surveyId}>
            <p>
              <strong>{en ? answer.titleEn : answer.title}</strong> · {t(`survey.${key}`)}
            </p>
            {key === 'failed' ? (
              <p class="survey-failed">
                <span class="problem" data-testid="survey-error">
                  {en ? answer.errorEn : answer.error}
                </span>
                <button type="button" class="small" data-testid="survey-remove" onClick={() => void removeAnswer(answer.surveyId).then(reload)}>
                  {t('survey.remove')}
                </button>
              </p>
            ) : null}
          </div>
        );
      })}
      {opened && Form ? <Form offer={opened} onCancel={() => setOpened(null)} onSubmit={(answers) => submit(opened, answers)} /> : null}
    </section>
  );
}
