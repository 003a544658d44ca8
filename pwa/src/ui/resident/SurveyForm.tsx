/** The questionnaire on the phone: every item on one short scroll, big choices, anonymous. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { answersToSend, isAnswered, missingAnswers, toggleOption } from '../../actions/survey-queue';
import type { AnswerValue, SurveyOffer, SurveyQuestion } from '../../api/surveys';
import { lang, t } from '../../i18n';
import { errorMessage } from '../common';

export interface SurveyFormProps {
  offer: SurveyOffer;
  onCancel: () => void;
  onSubmit: (answers: Record<string, AnswerValue>) => Promise<void>;
}

/** The server keeps at most this many characters of a text answer. */
const TEXT_MAX = 500;
const SCALES = { scale5: [1, 2, 3, 4, 5], scale10: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } as const;

export function SurveyForm({ offer, onCancel, onSubmit }: SurveyFormProps) {
  const en = lang() === 'en';
  const [answers, setAnswers] = useState<Record<string, AnswerValue>>({});
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // Screen readers start at the questionnaire, not on the page under it.
  useEffect(() => heading.current?.focus(), []);
  const missing = missingAnswers(offer.questions, answers);
  const set = (key: string, value: AnswerValue) => setAnswers((a) => ({ ...a, [key]: value }));

  const send = async (event: Event) => {
    event.preventDefault();
    setTried(true);
    if (missing.length > 0 || busy) return;
    setBusy(true);
    setProblem(null);
    try {
      await onSubmit(answersToSend(offer.questions, answers));
    } catch (e) {
      setProblem(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <div class="survey-sheet" role="dialog" aria-modal="true" aria-labelledby="survey-heading" data-testid="survey-sheet">
      <form class="survey-form" onSubmit={(e) => void send(e)} noValidate>
        <h2 id="survey-heading" ref={heading} tabIndex={-1}>{en ? offer.titleEn : offer.title}</h2>
        <p class="survey-anonymous" data-testid="survey-anonymous">
          {t('survey.anonymous')}
        </p>
        {offer.questions.map((q, i) => (
          <Question
            key={q.key}
            number={i + 1}
            question={q}
            en={en}
            value={answers[q.key]}
            flagged={tried && q.required && !isAnswered(q, answers[q.key])}
            onChange={(value) => set(q.key, value)}
          />
        ))}
        {tried && missing.length > 0 ? <p class="problem">{t('survey.missing', { n: missing.length })}</p> : null}
        {problem ? <p class="problem">{problem}</p> : null}
        <button type="submit" class="primary" data-testid="survey-send" disabled={busy}>
          {t('survey.send')}
        </button>
        <button type="button" class="survey-later" data-testid="survey-cancel" onClick={onCancel}>
          {t('survey.later')}
        </button>
      </form>
    </div>
  );
}

interface QuestionProps {
  number: number;
  question: SurveyQuestion;
  en: boolean;
  value: AnswerValue | undefined;
  flagged: boolean;
  onChange: (value: AnswerValue) => void;
}

function Question({ number, question: q, en, value, flagged, onChange }: QuestionProps) {
  const name = `survey-${q.key}`;
  return (
    <fieldset class={flagged ? 'survey-question flagged' : 'survey-question'} data-testid="survey-question" data-key={q.key}>
      <legend>
        {number}. {en ? q.en : q.zh}
        {q.required ? <span class="survey-required"> *</span> : null}
      </legend>
      {q.kind === 'single' || q.kind === 'multiple' ? (
        <div class="survey-choices">
          {q.options.map((o) => {
            const checked = q.kind === 'single' ? value === o.key : Array.isArray(value) && value.includes(o.key);
            return (
              <label key={o.key} class={checked ? 'survey-choice chosen' : 'survey-choice'}>
                <input
                  type={q.kind === 'single' ? 'radio' : 'checkbox'}
                  name={name}
                  value={o.key}
                  checked={checked}
                  data-testid={`survey-option-${q.key}-${o.key}`}
                  onChange={() => onChange(q.kind === 'single' ? o.key : toggleOption(q, value, o.key))}
                />
                <span>{en ? o.en : o.zh}</span>
              </label>
            );
          })}
        </div>
      ) : q.kind === 'text' ? (
        <textarea
          class="survey-text"
          name={name}
          rows={3}
          maxLength={TEXT_MAX}
          data-testid={`survey-text-${q.key}`}
          value={typeof value === 'string' ? value : ''}
          onInput={(e) => onChange((e.currentTarget as HTMLTextAreaElement).value)}
        />
      ) : (
        <>
          <div class={`survey-scale ${q.kind}`}>
            {SCALES[q.kind].map((n) => (
              <label key={n} class={value === n ? 'survey-point chosen' : 'survey-point'}>
                <input type="radio" name={name} value={String(n)} checked={value === n} data-testid={`survey-option-${q.key}-${n}`} onChange={() => onChange(n)} />
                <span>{n}</span>
              </label>
            ))}
          </div>
          <p class="survey-ends hint">
            <span>{t('survey.scaleLow', { n: q.kind === 'scale5' ? 1 : 0 })}</span>
            <span>{t('survey.scaleHigh', { n: q.kind === 'scale5' ? 5 : 10 })}</span>
          </p>
        </>
      )}
    </fieldset>
  );
}
