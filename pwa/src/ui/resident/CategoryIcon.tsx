/**
 * The category picker's icons, drawn inline (no icon font, no extra request, allowed by the CSP).
 * Keys are the `icon` names categories carry; an unknown name gets the plain dot.
 */

const PATHS: Record<string, string> = {
  shield: 'M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5z',
  fire: 'M12 2s5 5 5 10a5 5 0 0 1-10 0c0-2 1-3.5 2-4.5 0 2 1 3 2 3 0-3-1-5 1-8.5z',
  stall: 'M3 4h18l-1.5 5a2.5 2.5 0 0 1-5 0 2.5 2.5 0 0 1-5 0 2.5 2.5 0 0 1-5 0zM5 11v9h14v-9M9 20v-5h6v5',
  car: 'M5 11l2-5h10l2 5M3 11h18v6H3zM6 17v2M18 17v2M7 14h.01M17 14h.01',
  light: 'M9 18h6M10 21h4M12 3a6 6 0 0 0-3.5 10.9c.6.5 1 1.2 1 2.1h5c0-.9.4-1.6 1-2.1A6 6 0 0 0 12 3z',
  trash: 'M4 6h16M9 6V4h6v2M6 6l1 14h10l1-14M10 10v7M14 10v7',
  wrench: 'M14.7 6.3a4 4 0 0 0 5 5L21 13l-8 8-3-3 8-8-1.3-1.3a4 4 0 0 1-5-5l2.3 2.3 2-2z',
  people: 'M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 20c0-3.3 2.7-6 6-6s6 2.7 6 6M16 11a3 3 0 1 0 0-6M21 20c0-3-2-5.4-4.5-5.9',
  school: 'M3 9l9-5 9 5-9 5zM7 11v5c0 1.5 2.2 3 5 3s5-1.5 5-3v-5',
  phone: 'M7 2h10v20H7zM11 18h2',
  food: 'M6 2v8a2 2 0 0 0 4 0V2M8 10v12M16 2c-2 2-2 7 0 9v11',
  alert: 'M12 3 2 21h20zM12 10v5M12 18h.01',
  lock: 'M6 11h12v10H6zM8 11V7a4 4 0 0 1 8 0v4',
  other: 'M6 12h.01M12 12h.01M18 12h.01',
};

export function CategoryIcon(props: { name: string }) {
  return (
    <svg class="category-icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
      <path d={PATHS[props.name] ?? PATHS.other} />
    </svg>
  );
}
