/** Parts a resident's report and a staff member's case show alike: photos and the timeline. */
import type { PhotoOut } from '../api/types';
import { statusLabel } from '../i18n';

export function Photos(props: { title: string; photos: PhotoOut[] }) {
  if (props.photos.length === 0) return null;
  return (
    <>
      <h3>{props.title}</h3>
      <div class="gallery">
        {props.photos.map((p) => (
          <a key={p.id} href={p.url} target="_blank" rel="noopener noreferrer">
            <img src={p.thumbnailUrl} alt="" width={160} height={120} loading="lazy" />
          </a>
        ))}
      </div>
    </>
  );
}

/** One step of a timeline: the status it led to, when, who (a role, never a name), a note. */
export interface Step {
  at: string;
  status: string;
  who: string;
  note?: string | null;
}

export function Timeline(props: { title: string; steps: Step[] }) {
  return (
    <>
      <h3>{props.title}</h3>
      <ol class="timeline" data-testid="timeline">
        {props.steps.map((e, i) => (
          <li key={i}>
            <strong>{statusLabel(e.status)}</strong>
            <span class="muted">
              {' '}
              {new Date(e.at).toLocaleString()} · {e.who}
            </span>
            {e.note ? <p>{e.note}</p> : null}
          </li>
        ))}
      </ol>
    </>
  );
}
