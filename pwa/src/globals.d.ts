/** Filled in at build time by build/sw-plugin.ts for the service worker bundle. */
declare const __PRECACHE__: string[];
declare const __CACHE_VERSION__: string;
