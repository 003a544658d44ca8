/**
 * The resident's routes: `/` report, `/#/mine` 我的上报, `/#/area` 治安动态, `/reports/{id}` one report
 * (push links land there).
 */
import { useEffect, useState } from 'preact/hooks';

export type Route = { view: 'report' } | { view: 'mine' } | { view: 'area' } | { view: 'detail'; id: number };

export function parseRoute(pathname: string, hash: string): Route {
  const detail = /^\/reports\/(\d+)\/?$/.exec(pathname) ?? /^#\/r\/(\d+)$/.exec(hash);
  if (detail) return { view: 'detail', id: Number(detail[1]) };
  if (hash === '#/mine') return { view: 'mine' };
  if (hash === '#/area') return { view: 'area' };
  return { view: 'report' };
}

export function reportPath(id: number): string {
  return `/reports/${id}`;
}

const CHANGE = 'gridreport:navigate';

/** Go to an in-app URL without reloading the page. */
export function navigate(url: string): void {
  history.pushState(null, '', url);
  window.dispatchEvent(new Event(CHANGE));
}

/** Follow a plain click on an in-app link with navigate(); modified clicks keep their default. */
export function onLinkClick(event: MouseEvent): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const href = (event.currentTarget as HTMLAnchorElement).getAttribute('href');
  if (!href) return;
  event.preventDefault();
  navigate(href);
}

export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.hash);
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const update = () => setRoute(read());
    for (const name of ['popstate', 'hashchange', CHANGE]) window.addEventListener(name, update);
    return () => {
      for (const name of ['popstate', 'hashchange', CHANGE]) window.removeEventListener(name, update);
    };
  }, []);
  return route;
}
