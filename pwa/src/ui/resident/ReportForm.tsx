/** 随手拍: pick a category, take photos, confirm the spot, describe, send (into the outbox). */
import { useEffect, useState } from 'preact/hooks';
import { locate, LocateError } from '../../actions/geo';
import { staffUserId } from '../../actions/local';
import { newClientId, sha256Hex } from '../../actions/ids';
import { shrinkPhoto } from '../../actions/image';
import type { Draft, DraftPhoto } from '../../actions/outbox-rules';
import type { CategoryOut } from '../../api/types';
import { addDraft } from '../../db/outbox';
import { t } from '../../i18n';
import { errorMessage } from '../common';
import { LocationField, spotPoint, type Spot } from './LocationField';
import { NearbyOffer } from './NearbyOffer';
import { CategoryIcon } from './CategoryIcon';
import { PhotoList, type FormPhoto } from './PhotoList';

/** The default category set's size (migrations/0002); a city with more shifts by a row at most. */
const USUAL_CATEGORY_COUNT = 15;

interface Props {
  categories: CategoryOut[];
  categoriesError: string | null;
  categoryName: (c: CategoryOut) => string;
  onQueued: () => void;
  token: () => Promise<string>;
  /** 巡查上报 by a grid worker: sent with the staff token, never anonymous. */
  patrol?: boolean;
}

export function ReportForm(props: Props) {
  const [category, setCategory] = useState<string | null>(null);
  const [photos, setPhotos] = useState<FormPhoto[]>([]);
  const [spot, setSpot] = useState<Spot>({ kind: 'locating' });
  const [address, setAddress] = useState('');
  const [description, setDescription] = useState('');
  const [anonymous, setAnonymous] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const relocate = () => {
    setSpot({ kind: 'locating' });
    locate().then(
      (fix) => setSpot({ kind: 'fixed', fix }),
      (e: unknown) => setSpot({ kind: 'failed', reason: e instanceof LocateError ? e.reason : 'unavailable' }),
    );
  };
  const place = (at: { lat: number; lng: number }) =>
    setSpot((s) => ({ kind: 'placed', at, fix: s.kind === 'fixed' || s.kind === 'placed' ? s.fix : null }));
  useEffect(relocate, []);

  const addFiles = async (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      const shrunk = await shrinkPhoto(file);
      const clientKey = await sha256Hex(shrunk.bytes);
      const preview = URL.createObjectURL(new Blob([shrunk.bytes], { type: shrunk.type }));
      const photo: DraftPhoto = { clientKey, type: shrunk.type, bytes: shrunk.bytes, size: shrunk.bytes.byteLength };
      setPhotos((list) => (list.some((p) => p.clientKey === clientKey) ? list : [...list, { ...photo, preview, originalSize: shrunk.originalSize }]));
    }
  };

  const chosen = props.categories.find((c) => c.code === category);
  const point = spotPoint(spot);

  const send = async () => {
    if (!chosen) return setProblem(t('form.needCategory'));
    if (!point) return setProblem(t('form.needLocation'));
    if (chosen.photoRequired && photos.length === 0) return setProblem(t('form.photoRequired'));
    setProblem(null);
    setBusy(true);
    const draft: Draft = {
      clientId: newClientId(),
      createdAt: Date.now(),
      state: 'pending',
      attempts: 0,
      fields: {
        category: chosen.code,
        lat: point.lat,
        lng: point.lng,
        accuracyM: spot.kind === 'fixed' ? spot.fix.accuracyM : null,
        address,
        description,
        anonymous: anonymous && !props.patrol,
      },
      photos: photos.map(({ clientKey, type, bytes, size }) => ({ clientKey, type, bytes, size })),
      ...(props.patrol ? { patrol: true, staffUserId: staffUserId() ?? undefined } : {}),
    };
    try {
      await addDraft(draft);
      photos.forEach((p) => URL.revokeObjectURL(p.preview));
      setPhotos([]);
      setDescription('');
      setAddress('');
      setCategory(null);
      props.onQueued();
    } catch (e) {
      setProblem(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="report-form" onSubmit={(e) => (e.preventDefault(), void send())}>
      <fieldset>
        <legend>{t('form.category')}</legend>
        {props.categoriesError && props.categories.length === 0 ? <p class="problem">{props.categoriesError}</p> : null}
        {/* Loading is shown by the placeholders; a screen reader hears it said. */}
        {props.categories.length === 0 && !props.categoriesError ? (
          <p class="sr-only" role="status">
            {t('form.categoriesLoading')}
          </p>
        ) : null}
        <div class="categories">
          {props.categories.map((c) => (
            <button
              type="button"
              key={c.code}
              class={c.code === category ? 'category selected' : 'category'}
              aria-pressed={c.code === category}
              data-testid={`category-${c.code}`}
              onClick={() => setCategory(c.code)}
            >
              <CategoryIcon name={c.icon} />
              <span>{props.categoryName(c)}</span>
            </button>
          ))}
          {props.categories.length === 0
            ? // Room for the usual set while it loads, so nothing below jumps when it arrives.
              Array.from({ length: USUAL_CATEGORY_COUNT }, (_, i) => <span key={i} class="category placeholder" aria-hidden="true" />)
            : null}
        </div>
      </fieldset>

      <fieldset>
        <legend>{t('form.photo')}</legend>
        <label class="photo-pick">
          <span>{t('form.photo')}</span>
          <input
            type="file"
            accept="image/*"
            capture="environment"
            multiple
            data-testid="photo-input"
            onChange={(e) => {
              const input = e.currentTarget;
              void addFiles(input.files).finally(() => (input.value = ''));
            }}
          />
        </label>
        <p class="hint">{t('form.photoHint')}</p>
        <PhotoList photos={photos} onRemove={(key) => setPhotos((list) => list.filter((p) => p.clientKey !== key))} />
      </fieldset>

      <LocationField spot={spot} onPlace={place} relocate={relocate} address={address} onAddress={setAddress} />
      <NearbyOffer category={category} point={point} token={props.token} />

      <label class="field">
        <span>{t('form.description')}</span>
        <textarea
          data-testid="description"
          rows={3}
          maxLength={1000}
          value={description}
          placeholder={t('form.descriptionPlaceholder')}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </label>

      {props.patrol ? null : (
      <label class="switch">
        <input type="checkbox" data-testid="anonymous" checked={anonymous} onChange={(e) => setAnonymous(e.currentTarget.checked)} />
        <span>{t('form.anonymous')}</span>
      </label>
      )}

      {problem ? (
        <p class="problem" role="alert" data-testid="form-problem">
          {problem}
        </p>
      ) : null}
      <button type="submit" class="primary" data-testid="send" disabled={busy}>
        {busy ? t('form.saving') : t('form.send')}
      </button>
    </form>
  );
}
