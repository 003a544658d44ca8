import { describe, expect, it } from 'vitest';
import { isShellFile, routeFor } from '../build/sw-plugin';

describe('precache list', () => {
  it('names built pages by their route', () => {
    expect(routeFor('index.html')).toBe('/');
    expect(routeFor('w/index.html')).toBe('/w/');
    expect(routeFor('d/index.html')).toBe('/d/');
    expect(routeFor('assets/resident-abc123.js')).toBe('/assets/resident-abc123.js');
  });
  it('keeps shell files only', () => {
    expect(isShellFile('assets/x-1.css')).toBe(true);
    expect(isShellFile('assets/x-1.js.map')).toBe(false);
  });
});
