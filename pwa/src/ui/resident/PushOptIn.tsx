/** 开启通知: one sentence and a button; subscribe() can hang without a push service, so it is timed out. */
import { useState } from 'preact/hooks';
import { enablePush, pushSupported } from '../../actions/push-optin';
import { t, type MessageKey } from '../../i18n';
import { errorMessage } from '../common';

type State = 'idle' | 'working' | 'subscribed' | 'denied' | 'unsupported';

const LINE: Record<Exclude<State, 'idle'>, MessageKey> = {
  working: 'push.working',
  subscribed: 'push.enabled',
  denied: 'push.denied',
  unsupported: 'push.unsupported',
};

export function PushOptIn(props: { token: () => Promise<string> }) {
  const [state, setState] = useState<State>('idle');
  const [error, setError] = useState<string | null>(null);
  const go = async () => {
    if (!pushSupported()) return setState('unsupported');
    setState('working');
    setError(null);
    try {
      setState(await enablePush(await props.token()));
    } catch (e) {
      setState('idle');
      setError(errorMessage(e));
    }
  };
  return (
    <section class="push-optin" data-testid="push-box" data-state={state}>
      <p>{t('push.explain')}</p>
      {state === 'idle' || state === 'working' ? (
        <button type="button" data-testid="push-optin" disabled={state === 'working'} onClick={() => void go()}>
          {t(state === 'working' ? 'push.working' : 'push.enable')}
        </button>
      ) : null}
      {state !== 'idle' && state !== 'working' ? (
        <p class={state === 'subscribed' ? 'ok' : 'hint'} role="status" data-testid="push-state">
          {t(LINE[state])}
        </p>
      ) : null}
      {error ? <p class="problem">{t('common.error', { message: error })}</p> : null}
    </section>
  );
}
