/** 位置: the GPS fix with its accuracy, a pin to drag (or tap the map) when GPS is poor, an address. */
import type { LatLng } from '../../actions/coords';
import { isPoor, type Fix, type LocateFailure } from '../../actions/geo';
import { t } from '../../i18n';
import { MapView } from '../map/MapView';

export type Spot =
  | { kind: 'locating' }
  | { kind: 'fixed'; fix: Fix }
  /** Placed by hand on the map: as exact as the person's eye, so no GPS accuracy is claimed. */
  | { kind: 'placed'; at: LatLng; fix: Fix | null }
  | { kind: 'failed'; reason: LocateFailure };

/** Where the map starts when GPS gives nothing: the demo city's centre until a fix arrives. */
const FALLBACK_CENTRE = { lat: 30.2741, lng: 120.1551 };

export function spotPoint(spot: Spot): LatLng | null {
  if (spot.kind === 'fixed') return spot.fix;
  if (spot.kind === 'placed') return spot.at;
  return null;
}

interface Props {
  spot: Spot;
  onPlace: (at: LatLng) => void;
  relocate: () => void;
  address: string;
  onAddress: (value: string) => void;
}

export function LocationField({ spot, onPlace, relocate, address, onAddress }: Props) {
  const point = spotPoint(spot);
  // The map follows GPS, not the person's own taps: a tap moves the pin, not the view.
  const gps = spot.kind === 'fixed' ? spot.fix : null;
  const poor = spot.kind === 'fixed' ? isPoor(spot.fix) : spot.kind !== 'placed';
  return (
    <fieldset>
      <legend>{t('form.location')}</legend>
      {/* Always in the layout, so the form does not jump when GPS answers. */}
      <MapView
        centre={gps ?? FALLBACK_CENTRE}
        pin={spot.kind === 'locating' ? null : (point ?? FALLBACK_CENTRE)}
        onPinMove={onPlace}
        label={t('map.pinLabel')}
        testId="report-map"
        overlay={
          <p class={poor ? 'location poor' : 'location'} data-testid="location" data-kind={spot.kind} role="status">
            {describe(spot)}
          </p>
        }
      />
      <p class="hint">{t('form.pinHint')}</p>
      <button type="button" class="small" onClick={relocate}>
        {t('form.relocate')}
      </button>
      <label class="field">
        <span>{t('form.address')}</span>
        <input
          type="text"
          data-testid="address"
          value={address}
          maxLength={200}
          placeholder={t('form.addressPlaceholder')}
          onInput={(e) => onAddress(e.currentTarget.value)}
        />
      </label>
    </fieldset>
  );
}

function describe(spot: Spot): string {
  switch (spot.kind) {
    case 'locating':
      return t('form.locating');
    case 'failed':
      return `${t(`geo.${spot.reason}`)} — ${t('form.placeOnMap')}`;
    case 'placed':
      return t('form.placed');
    case 'fixed': {
      const text = t('form.located', { accuracy: Math.round(spot.fix.accuracyM) });
      return isPoor(spot.fix) ? `${text} — ${t('form.locationPoor')}` : text;
    }
  }
}
