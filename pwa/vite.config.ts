import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { serviceWorkerPlugin } from './build/sw-plugin';

const root = import.meta.dirname;
const api = process.env.GRIDREPORT_API ?? 'http://127.0.0.1:8790';
const apiProxy = { '/api': api, '/media': api };
/** The policy the API sends with the PWA; nothing inline is allowed. */
const CSP =
  "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; style-src 'self'; " +
  "script-src 'self'; worker-src 'self'; manifest-src 'self'";

/** Preact and the code every page shares get stable chunk names; the rest stays with its page. */
function chunkFor(id: string): string | undefined {
  if (id.includes('/node_modules/preact/')) return 'preact';
  if (/\/src\/(i18n\/(?!en\.)|ui\/(common|hooks)\.|ui\/styles\.css|actions\/(sw-register|constants)\.)/.test(id)) return 'shared';
  return undefined;
}

export default defineConfig({
  root,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  plugins: [
    serviceWorkerPlugin({
      entry: '../src/sw/sw.ts',
      publicFiles: ['manifest.webmanifest', 'icons/icon-192.png', 'icons/icon-512.png'],
    }),
  ],
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    target: 'es2020',
    // CSP: no inline anything, so no data: fonts or inlined scripts either.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    rollupOptions: {
      input: {
        resident: resolve(root, 'index.html'),
        worker: resolve(root, 'w/index.html'),
        dispatcher: resolve(root, 'd/index.html'),
      },
      output: {
        manualChunks: chunkFor,
        chunkFileNames: 'assets/[name]-[hash].js',
      },
    },
  },
  server: { proxy: apiProxy },
  // `vite preview` serves dist/ with the production CSP, to check the build against a running API.
  preview: { proxy: apiProxy, headers: { 'Content-Security-Policy': CSP } },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
