/** 挂牌督办 in the console: flags in force with their exit bar, 摘牌 with a reason, and 挂牌 forms. */
import { useEffect, useState } from 'preact/hooks';
import { percent } from '../../../actions/periods';
import { activeFlags, flagRegion, liftFlag, type Flag } from '../../../api/flags';
import { t } from '../../../i18n';
import { errorMessage } from '../../common';

/** The flags in force; a supervisor may lift each (on its bar, or on a written reason). */
export function Flags(props: { token: string; supervisor: boolean; version: number; onChange: () => void }) {
  const [flags, setFlags] = useState<Flag[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => void activeFlags(props.token).then(setFlags, (e: unknown) => setProblem(errorMessage(e))), [props.token, props.version]);
  return (
    <div data-testid="flags">
      <h3>{t('flags.title')}</h3>
      {problem ? <p class="problem">{problem}</p> : null}
      {flags?.length === 0 ? <p class="hint">{t('flags.none')}</p> : null}
      <ul class="cards">
        {(flags ?? []).map((f) => (
          <li key={f.id} class="card flag-card" data-testid="flag-item" data-region={f.regionCode}>
            <p>
              <strong>{f.regionName}</strong> · {t('flags.deadline', { deadline: f.deadline })}
              {f.overdue ? <span class="overdue"> {t('tasks.overdue')}</span> : null}
            </p>
            <p class="desc">{f.reason}</p>
            {f.exitBar ? (
              <p class="muted" data-testid="exit-bar" data-met={f.exitBar.met}>
                {t(f.exitBar.met ? 'flags.barMet' : 'flags.barUnmet', {
                  satisfaction: percent(f.exitBar.satisfaction),
                  required: percent(f.exitBar.requiredSatisfaction),
                  rated: f.exitBar.rated,
                  level: t(`hotspots.${f.exitBar.level}` as 'hotspots.red'),
                })}
              </p>
            ) : null}
            {props.supervisor ? <LiftForm token={props.token} flag={f} onDone={props.onChange} /> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

function LiftForm(props: { token: string; flag: Flag; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [override, setOverride] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const lift = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await liftFlag(props.token, props.flag.id, reason.trim(), override);
      props.onDone();
    } catch (e) {
      setProblem(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="move-form" onSubmit={(e) => (e.preventDefault(), void lift())}>
      <label class="field">
        <span>{t('flags.liftReason')}</span>
        <input type="text" data-testid="lift-reason" required minLength={2} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      {props.flag.exitBar && !props.flag.exitBar.met ? (
        <label class="switch">
          <input type="checkbox" data-testid="lift-override" checked={override} onChange={(e) => setOverride(e.currentTarget.checked)} />
          <span>{t('flags.override')}</span>
        </label>
      ) : null}
      {problem ? (
        <p class="problem" role="alert" data-testid="lift-problem">
          {problem}
        </p>
      ) : null}
      <button type="submit" data-testid="lift-submit" disabled={busy}>
        {t('flags.lift')}
      </button>
    </form>
  );
}

/** 挂牌 a region from the hotspot list: a reason and the date it must be put right by. */
export function FlagForm(props: { token: string; code: string; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [deadline, setDeadline] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async () => {
    setProblem(null);
    try {
      await flagRegion(props.token, props.code, reason.trim(), deadline);
      props.onDone();
    } catch (e) {
      setProblem(errorMessage(e));
    }
  };
  return (
    <form class="move-form" data-testid="flag-form" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <label class="field">
        <span>{t('flags.reason')}</span>
        <input type="text" data-testid="flag-reason" required minLength={2} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t('flags.deadlineLabel')}</span>
        <input type="date" data-testid="flag-deadline" required value={deadline} onInput={(e) => setDeadline(e.currentTarget.value)} />
      </label>
      {problem ? (
        <p class="problem" role="alert">
          {problem}
        </p>
      ) : null}
      <button type="submit" class="primary" data-testid="flag-submit">
        {t('flags.submit')}
      </button>
    </form>
  );
}
