/** Thumbnails of the shrunk photos with the size each will take. */
import { formatBytes } from '../../actions/image-size';
import type { DraftPhoto } from '../../actions/outbox-rules';
import { t } from '../../i18n';

export interface FormPhoto extends DraftPhoto {
  preview: string;
  originalSize: number;
}

export function PhotoList(props: { photos: FormPhoto[]; onRemove: (clientKey: string) => void }) {
  if (props.photos.length === 0) return null;
  return (
    <ul class="photos">
      {props.photos.map((p) => (
        <li key={p.clientKey} data-testid="photo-item">
          <img src={p.preview} alt="" />
          <span class="photo-size" data-testid="photo-size">
            {t('form.photoSaved', { size: formatBytes(p.size), original: formatBytes(p.originalSize) })}
          </span>
          <button type="button" class="small" onClick={() => props.onRemove(p.clientKey)}>
            {t('form.photoRemove')}
          </button>
        </li>
      ))}
    </ul>
  );
}
