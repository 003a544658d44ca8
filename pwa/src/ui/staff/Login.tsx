/** Staff sign-in form shared by the worker and dispatcher views. */
import { useState } from 'preact/hooks';
import { login } from '../../api/staff';
import type { TokenOut } from '../../api/types';
import { t } from '../../i18n';
import { errorMessage } from '../common';

export function Login(props: { onSignIn: (session: TokenOut) => Promise<void> }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    setBusy(true);
    try {
      await props.onSignIn(await login(username.trim(), password));
    } catch (e) {
      setError(t('login.failed', { message: errorMessage(e) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="login" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <h2>{t('login.title')}</h2>
      <label class="field">
        <span>{t('login.username')}</span>
        <input data-testid="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required />
      </label>
      <label class="field">
        <span>{t('login.password')}</span>
        <input
          data-testid="password"
          type="password"
          autocomplete="current-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          required
        />
      </label>
      {error ? (
        <p class="problem" role="alert" data-testid="login-error">
          {error}
        </p>
      ) : null}
      <button type="submit" class="primary" data-testid="login" disabled={busy}>
        {t('login.submit')}
      </button>
    </form>
  );
}
