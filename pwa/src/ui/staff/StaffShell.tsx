/** Header, sign-in and sign-out around a staff view; the token lives in localStorage. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setStaffToken, staffToken } from '../../actions/local';
import { logout } from '../../api/staff';
import { t } from '../../i18n';
import { Header, UpdateBanner } from '../common';
import { useLang } from '../hooks';
import { Login } from './Login';

export function StaffShell(props: { title: string; children: (token: string, signOut: () => void) => ComponentChildren }) {
  useLang();
  const [token, setToken] = useState<string | null>(staffToken);
  // A session from before the service worker kept a copy of the token: give it one.
  useEffect(() => (token ? setStaffToken(token) : undefined), []);
  const signIn = (next: string) => {
    setStaffToken(next);
    setToken(next);
  };
  const signOut = () => {
    // The token is forgotten here either way; the server lets it expire if it missed the revoke.
    if (token) logout(token).catch((error: unknown) => console.warn('logout not confirmed', error));
    setStaffToken(null);
    setToken(null);
  };
  return (
    <>
      <Header title={props.title}>
        {token ? (
          <button type="button" class="link" data-testid="logout" onClick={signOut}>
            {t('login.logout')}
          </button>
        ) : null}
      </Header>
      <UpdateBanner />
      <main>{token ? props.children(token, signOut) : <Login onToken={signIn} />}</main>
    </>
  );
}
