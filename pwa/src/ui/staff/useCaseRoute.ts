/** The staff views' one route: `#/c/{id}` is a case, anything else the list. */
import { useEffect, useState } from 'preact/hooks';
import { caseIdFromHash } from '../../actions/case-logic';

export function useCaseRoute(): number | null {
  const [id, setId] = useState<number | null>(() => caseIdFromHash(location.hash));
  useEffect(() => {
    const update = () => setId(caseIdFromHash(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return id;
}

export function backToList(): void {
  if (caseIdFromHash(location.hash) === null) return;
  history.pushState(null, '', location.pathname + location.search);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
