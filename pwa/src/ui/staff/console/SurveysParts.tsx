/** Small pieces the survey screens share: state badge, a step with its confirmation, a figure cell. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { change, changeText, figureText, surveyRoute, type SurveyRoute } from '../../../actions/survey-logic';
import type { Figure } from '../../../api/survey-admin';
import { t, type MessageKey } from '../../../i18n';
import { label, Refusal } from './AreaParts';

export function SurveyStateBadge(props: { state: string }) {
  return (
    <span class={`area-state survey-state-${props.state}`} data-testid="survey-state" data-state={props.state}>
      {label('surveys.state', props.state)}
    </span>
  );
}

/** A button whose step is asked once more ("确认…？") before it is taken. */
export function ConfirmedStep(props: { id: string; label: MessageKey; question: MessageKey; run: () => Promise<unknown>; onDone: () => void }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const step = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  // The question takes the focus on 确定, so the keyboard answers it at once (Escape says no).
  useEffect(() => {
    if (asking) confirm.current?.focus();
  }, [asking]);
  const dismiss = () => {
    setAsking(false);
    step.current?.focus();
  };
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.run();
      setAsking(false);
      props.onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="confirmed-step">
      <button ref={step} type="button" class="primary-inline" data-testid={`${props.id}`} aria-expanded={asking} disabled={busy} onClick={() => setAsking(!asking)}>
        {t(props.label)}
      </button>
      {asking ? (
        <span
          class="confirm-box"
          role="alertdialog"
          aria-label={t(props.question)}
          data-testid={`${props.id}-confirm-box`}
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            e.preventDefault();
            dismiss();
          }}
        >
          <span>{t(props.question)}</span>
          <button ref={confirm} type="button" class="small" data-testid={`${props.id}-confirm`} disabled={busy} onClick={() => void go()}>
            {t('surveys.confirm')}
          </button>
          <button type="button" class="small" data-testid={`${props.id}-cancel`} onClick={dismiss}>
            {t('surveys.cancel')}
          </button>
        </span>
      ) : null}
      <Refusal error={error} testId={`${props.id}-problem`} />
    </span>
  );
}

/** value [low, high] coloured by where it stands against the target, n, and the change. */
export function FigureCell(props: { name: string; figure: Figure | null; previous: Figure | null | undefined; target: number }) {
  const f = props.figure;
  if (!f) return <td class="muted">—</td>;
  const delta = change(f, props.previous);
  const standing = f.standing ?? 'withheld';
  return (
    <td class={`figure standing-${standing}`} data-testid={`figure-${props.name}`} data-n={f.n ?? ''} data-value={f.value ?? ''} data-standing={f.standing ?? ''}>
      <span class="figure-value">{figureText(f)}</span>
      {f.value !== null ? <meter class="figure-meter" min={0} max={100} low={props.target} high={props.target} optimum={100} value={f.value} aria-hidden="true" /> : null}
      {f.standing ? <span class="standing-mark"> {t(`surveys.standing.${f.standing}` as MessageKey)}</span> : null}
      <span class="figure-n muted"> n={f.n ?? '—'}</span>
      {f.value === null && f.n !== null ? <span class="muted"> {t(f.n < 5 ? 'surveys.withheld' : 'surveys.withheldByDifference')}</span> : null}
      {delta !== null ? (
        <span class={delta >= 0 ? 'figure-change up' : 'figure-change down'} data-testid={`change-${props.name}`}>
          {' '}
          {changeText(delta)}
        </span>
      ) : null}
    </td>
  );
}

/** The survey page the hash names, following hash changes; null on the console's other pages. */
export function useSurveyRoute(): SurveyRoute | null {
  const [route, setRoute] = useState<SurveyRoute | null>(() => surveyRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(surveyRoute(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
