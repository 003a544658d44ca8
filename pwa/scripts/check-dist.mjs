// Fails the build when dist/ misses a file the server serves, or when a built page has anything
// inline that the Content-Security-Policy (script-src 'self'; style-src 'self') would block.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const dist = new URL('../dist/', import.meta.url);
const problems = [];
for (const file of ['index.html', 'w/index.html', 'd/index.html', 'sw.js', 'manifest.webmanifest']) {
  if (!existsSync(new URL(file, dist))) problems.push(`missing dist/${file}`);
}
const assets = existsSync(new URL('assets/', dist)) ? readdirSync(new URL('assets/', dist)) : [];
if (!assets.some((f) => /-[\w-]{8}\.js$/.test(f))) problems.push('no hashed JS in dist/assets');
if (!assets.some((f) => /-[\w-]{8}\.css$/.test(f))) problems.push('no hashed CSS in dist/assets');
for (const page of ['index.html', 'w/index.html', 'd/index.html']) {
  const url = new URL(page, dist);
  if (!existsSync(url)) continue;
  const html = readFileSync(url, 'utf8');
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\bsrc=/.test(m[1]) || m[2].trim()) problems.push(`${page}: inline <script>`);
  }
  if (/<style\b/i.test(html)) problems.push(`${page}: inline <style>`);
  if (/\sstyle\s*=/i.test(html)) problems.push(`${page}: style= attribute`);
  if (/\son[a-z]+\s*=/i.test(html)) problems.push(`${page}: inline event handler`);
}
if (problems.length) {
  console.error(`dist check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('dist check: all pages present, nothing inline');
