/** Photos and a note from the field (处置反馈 on a case, 进展 and 完成 on a key-area task): photos
 * shrunk on the phone and taken once each, the caller's rule checked before anything is made. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { locate } from '../../actions/geo';
import { sha256Hex } from '../../actions/ids';
import { shrinkPhoto } from '../../actions/image';
import { t, type MessageKey } from '../../i18n';
import { errorMessage } from '../common';

const PHOTOS_MAX = 9;

export interface FieldPhoto {
  bytes: ArrayBuffer;
  type: string;
  clientKey: string;
}

interface PickedPhoto extends FieldPhoto {
  preview: string;
}

export interface FieldReport {
  note: string;
  photos: FieldPhoto[];
  where: { lat: number; lng: number } | null;
}

export interface PhotoNoteFormProps {
  /** Prefix of the form's data-testids: `{testId}-form`, `-photo-input`, `-photos`, `-note`, `-problem`, `-submit`, `-rule`. */
  testId: string;
  kind?: string;
  photoLabel: string;
  noteLabel: string;
  notePlaceholder: string;
  noteMax: number;
  submitLabel: string;
  /** The rule the form holds to, shown above the button. */
  rule?: string;
  /** Why the form cannot be sent as it is, or null. */
  problem: (photoCount: number, note: string) => MessageKey | null;
  /** Ask for a position before sending (a bonus, never a condition). */
  locate: boolean;
  /** Shown while sending, and when no position could be had. */
  sendingNote?: string;
  noPositionNote?: string;
  /** Busy elsewhere (the case's other buttons). */
  busy?: boolean;
  onSubmit: (report: FieldReport) => Promise<unknown>;
}

export function PhotoNoteForm(props: PhotoNoteFormProps) {
  const [photos, setPhotos] = useState<PickedPhoto[]>([]);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [stage, setStage] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const previews = useRef<string[]>([]);
  useEffect(() => () => previews.current.forEach((url) => URL.revokeObjectURL(url)), []);
  const busy = working || Boolean(props.busy);

  const add = async (files: FileList | null) => {
    const added: PickedPhoto[] = [];
    for (const file of Array.from(files ?? [])) {
      const shrunk = await shrinkPhoto(file);
      const clientKey = await sha256Hex(shrunk.bytes);
      if (photos.some((p) => p.clientKey === clientKey) || added.some((p) => p.clientKey === clientKey)) continue;
      const preview = URL.createObjectURL(new Blob([shrunk.bytes], { type: shrunk.type }));
      previews.current.push(preview);
      added.push({ bytes: shrunk.bytes, type: shrunk.type, clientKey, preview });
    }
    setPhotos((current) => [...current, ...added].slice(0, PHOTOS_MAX));
    setProblem(null);
  };

  const submit = async () => {
    const missing = props.problem(photos.length, note);
    if (missing) return setProblem(t(missing));
    setProblem(null);
    setWorking(true);
    setStage(props.sendingNote ?? null);
    try {
      const fix = props.locate ? await locate(8000).catch(() => null) : null;
      if (props.locate && !fix && props.noPositionNote) setStage(props.noPositionNote);
      await props.onSubmit({
        note: note.trim(),
        photos: photos.map(({ bytes, type, clientKey }) => ({ bytes, type, clientKey })),
        where: fix ? { lat: fix.lat, lng: fix.lng } : null,
      });
    } catch (e) {
      setProblem(errorMessage(e));
    } finally {
      setWorking(false);
      setStage(null);
    }
  };

  const id = props.testId;
  return (
    <form class="move-form" data-testid={`${id}-form`} data-kind={props.kind} onSubmit={(e) => (e.preventDefault(), void submit())}>
      <label class="photo-pick">
        <span>{props.photoLabel}</span>
        <input data-testid={`${id}-photo-input`} type="file" accept="image/*" capture="environment" multiple onChange={(e) => void add(e.currentTarget.files)} />
      </label>
      {photos.length > 0 ? (
        <div class="gallery" data-testid={`${id}-photos`} data-count={photos.length}>
          {photos.map((p) => (
            <img key={p.clientKey} src={p.preview} alt="" width={96} height={96} class="thumb" />
          ))}
        </div>
      ) : null}
      <label class="field">
        <span>{props.noteLabel}</span>
        <textarea data-testid={`${id}-note`} rows={3} maxLength={props.noteMax} placeholder={props.notePlaceholder} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      {props.rule ? (
        <p class="hint" data-testid={`${id}-rule`}>
          {props.rule}
        </p>
      ) : null}
      {problem ? (
        <p class="problem" role="alert" data-testid={`${id}-problem`}>
          {problem}
        </p>
      ) : null}
      {stage ? <p class="hint">{stage}</p> : null}
      <button type="submit" class="primary" data-testid={`${id}-submit`} disabled={busy}>
        {busy ? t('case.working') : props.submitLabel}
      </button>
    </form>
  );
}
