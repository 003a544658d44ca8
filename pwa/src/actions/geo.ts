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

export function locate(timeoutMs = 15000): Promise<Fix> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new Error('geolocation unavailable'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracyM: p.coords.accuracy }),
      (e) => reject(new Error(e.message)),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 30000 },
    );
  });
}
