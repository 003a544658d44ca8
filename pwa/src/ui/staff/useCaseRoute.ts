/** The staff views' route, from the URL hash (see staffRoute). */
import { useEffect, useState } from 'preact/hooks';
import { caseIdFromHash, staffRoute, type StaffRoute } from '../../actions/case-logic';

export function useStaffRoute(): StaffRoute {
  const [route, setRoute] = useState<StaffRoute>(() => staffRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(staffRoute(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function backToList(): void {
  if (caseIdFromHash(location.hash) === null) return;
  history.pushState(null, '', location.pathname + location.search);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
