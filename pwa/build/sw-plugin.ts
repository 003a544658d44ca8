/**
 * Build the service worker as one classic script at dist/sw.js (unhashed, at the root), with the
 * list of app-shell URLs of this very build injected as __PRECACHE__ and a version derived from it.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'vite';

/** Built HTML pages are requested by their route, not their file name. */
export function routeFor(fileName: string): string {
  if (fileName === 'index.html') return '/';
  if (fileName.endsWith('/index.html')) return `/${fileName.slice(0, -'index.html'.length)}`;
  return `/${fileName}`;
}

export function isShellFile(fileName: string): boolean {
  return /\.(html|js|css|webmanifest|png|svg|woff2)$/.test(fileName) && !fileName.endsWith('.map');
}

export function serviceWorkerPlugin(options: { entry: string; publicFiles: string[] }): Plugin {
  let shell: string[] = [];
  let outDir = 'dist';
  return {
    name: 'gridreport-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    writeBundle(_options, bundle) {
      shell = [...Object.keys(bundle).filter(isShellFile), ...options.publicFiles].map(routeFor).sort();
    },
    async closeBundle() {
      const version = createHash('sha256').update(JSON.stringify(shell)).digest('hex').slice(0, 12);
      await build({
        configFile: false,
        logLevel: 'warn',
        define: {
          __PRECACHE__: JSON.stringify(shell),
          __CACHE_VERSION__: JSON.stringify(version),
          'import.meta.env.PROD': 'true',
        },
        build: {
          outDir,
          emptyOutDir: false,
          copyPublicDir: false,
          target: 'es2022',
          lib: {
            entry: fileURLToPath(new URL(options.entry, import.meta.url)),
            formats: ['iife'],
            name: 'gridreportServiceWorker',
            fileName: () => 'sw.js',
          },
        },
      });
    },
  };
}
