/** The app shell: precached at install, served cache-first, old versions dropped at activate. */

const CACHE = `gridreport-shell-${__CACHE_VERSION__}`;

export async function precacheShell(): Promise<void> {
  const cache = await caches.open(CACHE);
  await cache.addAll(__PRECACHE__.map((url) => new Request(url, { cache: 'reload' })));
}

export async function dropOldCaches(): Promise<void> {
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith('gridreport-shell-') && n !== CACHE).map((n) => caches.delete(n)));
}

/** The shell page a navigation to `pathname` should get: /w/… → /w/, /d/… → /d/, else /. */
export function shellFor(pathname: string): string {
  if (pathname === '/w' || pathname.startsWith('/w/')) return '/w/';
  if (pathname === '/d' || pathname.startsWith('/d/')) return '/d/';
  return '/';
}

/** Never touch the API, media or anything cross-origin; those always go to the network. */
export function isShellRequest(url: URL, origin: string): boolean {
  if (url.origin !== origin) return false;
  return !['/api/', '/media/', '/schema', '/healthz', '/readyz'].some((p) => url.pathname.startsWith(p));
}

/** Cached shell for navigations and built assets; the network for anything not precached. */
export async function respond(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const url = new URL(request.url);
  const key = request.mode === 'navigate' ? shellFor(url.pathname) : url.pathname;
  const hit = await cache.match(key);
  if (hit) return hit;
  return fetch(request);
}
