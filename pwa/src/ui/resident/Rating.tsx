/** 评价: 1–5 stars and an optional comment for a closed report (POST /reports/{id}/rating). */
import { useState } from 'preact/hooks';
import { rateReport } from '../../api/resident';
import type { ReportOut } from '../../api/types';
import { t } from '../../i18n';
import { errorMessage } from '../common';

const SCORES = [1, 2, 3, 4, 5] as const;

export function Rating(props: { report: ReportOut; token: () => Promise<string>; onRated: (report: ReportOut) => void }) {
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async () => {
    if (score < 1) {
      setProblem(t('rate.needScore'));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const token = await props.token();
      props.onRated(await rateReport(token, props.report.id, { score, comment: comment.trim() }));
    } catch (e) {
      setProblem(t('common.error', { message: errorMessage(e) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="rating" data-testid="rating" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <h3>{t('rate.title')}</h3>
      <div class="stars" role="radiogroup" aria-label={t('rate.title')}>
        {SCORES.map((n) => (
          <button
            type="button"
            key={n}
            role="radio"
            aria-checked={score === n}
            aria-label={t('rate.star', { n })}
            class={n <= score ? 'star on' : 'star'}
            data-testid={`rate-${n}`}
            onClick={() => setScore(n)}
          >
            {n <= score ? '★' : '☆'}
          </button>
        ))}
      </div>
      <label class="field">
        <span>{t('rate.comment')}</span>
        <textarea data-testid="rate-comment" rows={2} maxLength={300} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      </label>
      {problem ? (
        <p class="problem" role="alert">
          {problem}
        </p>
      ) : null}
      <button type="submit" class="primary" data-testid="rate-submit" disabled={busy}>
        {t('rate.submit')}
      </button>
    </form>
  );
}
