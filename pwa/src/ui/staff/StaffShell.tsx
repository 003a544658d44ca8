/** Header, sign-in and sign-out around a staff view; the token lives in localStorage. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setStaffToken, staffToken } from '../../actions/local';
import { signIn, signOut, unsentWork } from '../../actions/staff-session';
import { logout } from '../../api/staff';
import type { TokenOut } from '../../api/types';
import { t } from '../../i18n';
import { errorMessage, Header, UpdateBanner } from '../common';
import { useLang } from '../hooks';
import { Login } from './Login';

export function StaffShell(props: { title: string; children: (token: string, signOut: () => void) => ComponentChildren }) {
  useLang();
  const [token, setToken] = useState<string | null>(staffToken);
  // Unsent moves or patrol reports that signing out would delete: asked about first.
  const [unsent, setUnsent] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // A session from before the service worker kept a copy of the token: give it one.
  useEffect(() => (token ? setStaffToken(token) : undefined), []);
  const started = async (session: TokenOut) => {
    await signIn(session);
    setToken(session.token);
  };
  // The server refused the token: sign in again; the phone keeps this worker's work for them.
  const sessionEnded = () => {
    setStaffToken(null);
    setToken(null);
  };
  const leave = () => {
    // The server lets the token expire if it missed the revoke.
    if (token) logout(token).catch((error: unknown) => console.warn('logout not confirmed', error));
    setUnsent(null);
    signOut().then(
      () => {
        // The next person starts from the list, not from the case the last one had open.
        history.replaceState(null, '', location.pathname + location.search);
        setToken(null);
      },
      (error: unknown) => setProblem(errorMessage(error)),
    );
  };
  const askToLeave = () => {
    unsentWork().then(
      (count) => (count > 0 ? setUnsent(count) : leave()),
      () => leave(),
    );
  };
  return (
    <>
      <Header title={props.title}>
        {token ? (
          <button type="button" class="link" data-testid="logout" onClick={askToLeave}>
            {t('login.logout')}
          </button>
        ) : null}
      </Header>
      <UpdateBanner />
      {unsent !== null ? (
        <div class="notice logout-warning" role="alertdialog" aria-labelledby="logout-warning-text" data-testid="logout-warning">
          <p id="logout-warning-text">{t('logout.unsent', { count: unsent })}</p>
          <button type="button" class="small" data-testid="logout-confirm" onClick={leave}>
            {t('logout.confirm')}
          </button>{' '}
          <button type="button" class="small" data-testid="logout-cancel" onClick={() => setUnsent(null)}>
            {t('logout.cancel')}
          </button>
        </div>
      ) : null}
      {problem ? <p class="problem">{t('common.error', { message: problem })}</p> : null}
      <main>{token ? props.children(token, sessionEnded) : <Login onSignIn={started} />}</main>
    </>
  );
}
