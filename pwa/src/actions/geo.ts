/** The phone's position, with how sure it is. */

export interface Fix {
  lat: number;
  lng: number;
  accuracyM: number;
}

/** Above this many metres the spot is uncertain and an address is asked for. */
export const POOR_ACCURACY_M = 100;

export function isPoor(fix: Fix | null): boolean {
  return fix === null || fix.accuracyM > POOR_ACCURACY_M;
}

/** Why there is no fix; the browser's own message is English whatever the page's language. */
export type LocateFailure = 'denied' | 'unavailable' | 'timeout' | 'unsupported';

export class LocateError extends Error {
  constructor(readonly reason: LocateFailure, browserMessage: string) {
    super(browserMessage);
    this.name = 'LocateError';
  }
}

/** GeolocationPositionError's codes: 1 PERMISSION_DENIED, 2 POSITION_UNAVAILABLE, 3 TIMEOUT. */
export function failureOf(code: number): LocateFailure {
  if (code === 1) return 'denied';
  if (code === 3) return 'timeout';
  return 'unavailable';
}

export function locate(timeoutMs = 15000): Promise<Fix> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new LocateError('unsupported', 'geolocation unavailable'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracyM: p.coords.accuracy }),
      (e) => reject(new LocateError(failureOf(e.code), e.message)),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 30000 },
    );
  });
}
