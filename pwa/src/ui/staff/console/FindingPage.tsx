/** One finding of the ledger: its facts, photos and evidence, its timeline (催办 and 督办
 * included), and the moves its state leaves open (签收, 整改反馈 with evidence, 复查, 销号,
 * reopen with a new deadline). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { newClientId, sha256Hex } from '../../../actions/ids';
import { shrinkPhoto } from '../../../actions/image';
import { defaultDeadline, inspectionHash, localToIso, moveProblem, movesFor } from '../../../actions/oversight-logic';
import { uploadTaskPhoto } from '../../../api/areas';
import { ApiError } from '../../../api/http';
import { getFinding, moveFinding, type FindingAction, type FindingOut } from '../../../api/oversight';
import { t, type MessageKey } from '../../../i18n';
import { label, Refusal, when } from './AreaParts';
import { FindingStateBadge } from './OversightParts';

/** One finding: its facts, photos and evidence, timeline (催办 and 督办 included), and the moves its state leaves open. */
export function FindingPage(props: { id: number; token: string; signOut: () => void }) {
  const [item, setItem] = useState<FindingOut | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    getFinding(props.token, props.id).then(setItem, (e: unknown) => (e instanceof ApiError && e.status === 401 ? props.signOut() : setError(e)));
  }, [props.token, props.id, version]);
  if (!item)
    return (
      <section>
        <Refusal error={error} />
        {error ? null : <p class="hint">{t('common.loading')}</p>}
      </section>
    );
  return (
    <section data-testid="finding-page" data-finding-id={item.id} data-state={item.state}>
      <div class="section-head">
        <h2 data-testid="finding-title">{item.text}</h2>
        <span class="area-head-actions">
          <a href={inspectionHash(item.inspectionId)} class="button-link" data-testid="finding-inspection">
            {t('oversight.inspection')}
          </a>
          <a href="#/findings" class="button-link">
            {t('oversight.ledger')}
          </a>
        </span>
      </div>
      <dl class="facts">
        <dt>{t('oversight.state')}</dt>
        <dd>
          <FindingStateBadge state={item.state} overdue={item.overdue} />
        </dd>
        <dt>{t('oversight.field.unit')}</dt>
        <dd data-testid="finding-responsible">
          {item.responsible.name}
          {item.responsibleUser ? ` · ${item.responsibleUser.name}` : ''}
        </dd>
        <dt>{t('oversight.field.deadline')}</dt>
        <dd data-testid="finding-deadline-shown">
          {when(item.deadline)}
          {item.firstDeadline && item.firstDeadline !== item.deadline ? <span class="muted"> · {t('oversight.firstDeadline', { time: when(item.firstDeadline) })}</span> : null}
        </dd>
        {item.reportedAt ? (
          <>
            <dt>{t('oversight.reportedAt')}</dt>
            <dd>{when(item.reportedAt)}</dd>
          </>
        ) : null}
        {item.closedAt ? (
          <>
            <dt>{t('oversight.closedAt')}</dt>
            <dd data-testid="finding-closed-on-time" data-on-time={String(item.closedOnTime)}>
              {when(item.closedAt)} · {item.closedOnTime ? t('oversight.onTime') : t('oversight.notOnTime')}
            </dd>
          </>
        ) : null}
      </dl>
      <Photos title="oversight.photos" urls={item.photos ?? []} testId="finding-photos" />
      <Photos title="oversight.evidence" urls={item.evidence ?? []} testId="finding-evidence" />
      <h3>{t('oversight.timeline')}</h3>
      <ol class="timeline" data-testid="finding-timeline">
        {(item.events ?? []).map((e) => (
          <li key={e.id} data-testid="finding-event" data-action={e.action} data-to-state={e.toState}>
            <span class="muted">{when(e.at)}</span> {label('oversight.event', e.action)}
            {e.toState && e.toState !== e.fromState ? ` → ${label('oversight.findingState', e.toState)}` : ''}
            {e.note ? ` — ${e.note}` : ''}
            {e.action === 'reopen' && e.deadline ? ` (${t('oversight.newDeadline')} ${when(e.deadline)})` : ''}
          </li>
        ))}
      </ol>
      <FindingMoves item={item} token={props.token} onMoved={(moved) => (setItem(moved.events ? moved : item), setVersion((n) => n + 1))} />
    </section>
  );
}

function Photos(props: { title: MessageKey; urls: readonly string[]; testId: string }) {
  if (!props.urls.length) return null;
  return (
    <>
      <h3>{t(props.title)}</h3>
      <div class="gallery" data-testid={props.testId} data-count={props.urls.length}>
        {props.urls.map((url) => (
          <a key={url} href={url} target="_blank" rel="noopener">
            <img src={url} alt="" width={96} height={96} class="thumb" />
          </a>
        ))}
      </div>
    </>
  );
}

/** The moves the finding's state leaves open; the server says who may take them. */
function FindingMoves(props: { item: FindingOut; token: string; onMoved: (f: FindingOut) => void }) {
  const offered = movesFor(props.item.state);
  const [action, setAction] = useState<FindingAction | null>(null);
  const [note, setNote] = useState('');
  const [deadline, setDeadline] = useState(defaultDeadline(new Date(), 7));
  const [files, setFiles] = useState<File[]>([]);
  const [problem, setProblem] = useState<MessageKey | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // One clientId per move being typed: a retry after a lost answer lands once.
  const clientId = useRef(newClientId());
  useEffect(() => {
    setAction(null);
    setNote('');
    setFiles([]);
    clientId.current = newClientId();
  }, [props.item.state]);
  if (!offered.length) return null;

  const send = async () => {
    if (!action) return;
    setError(null);
    const missing = moveProblem(action, note, files.length, localToIso(deadline) ?? '', new Date());
    if (missing) return setProblem(`oversight.move.${missing}` as MessageKey);
    setProblem(null);
    setBusy(true);
    try {
      const mediaIds: string[] = [];
      for (const file of action === 'report' ? files : []) {
        const shrunk = await shrinkPhoto(file);
        const media = await uploadTaskPhoto(props.token, shrunk.bytes, shrunk.type, await sha256Hex(shrunk.bytes));
        mediaIds.push(media.id);
      }
      const moved = await moveFinding(props.token, props.item.id, {
        clientId: clientId.current,
        action,
        ...(note.trim() ? { note: note.trim() } : {}),
        ...(mediaIds.length ? { mediaIds } : {}),
        ...(action === 'reopen' ? { deadline: localToIso(deadline) ?? '' } : {}),
      });
      props.onMoved(moved);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="move-form" data-testid="finding-moves">
      <div class="area-head-actions" role="group" aria-label={t('oversight.moves')}>
        {offered.map((a) => (
          <button key={a} type="button" class={action === a ? 'primary-inline' : 'small'} data-testid={`finding-action-${a}`} aria-pressed={action === a} onClick={() => (setAction(a), setProblem(null), setError(null))}>
            {label('oversight.action', a)}
          </button>
        ))}
      </div>
      {action ? (
        <form data-testid="move-form" data-action={action} onSubmit={(e) => (e.preventDefault(), void send())}>
          {action === 'report' ? (
            <label class="field">
              <span>{t('oversight.evidence')}</span>
              <input type="file" accept="image/*" multiple data-testid="move-photos" onChange={(e) => setFiles(Array.from(e.currentTarget.files ?? []))} />
            </label>
          ) : null}
          <label class="field">
            <span>{action === 'reopen' ? t('oversight.reason') : t('oversight.note')}</span>
            <textarea data-testid="move-note" rows={2} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
          {action === 'reopen' ? (
            <label class="field">
              <span>{t('oversight.newDeadline')}</span>
              <input type="datetime-local" data-testid="move-deadline" value={deadline} onInput={(e) => setDeadline(e.currentTarget.value)} />
            </label>
          ) : null}
          {problem ? (
            <p class="problem" role="alert" data-testid="move-problem">
              {t(problem)}
            </p>
          ) : null}
          <Refusal error={error} testId="move-problem" />
          <button type="submit" class="primary" data-testid="move-submit" disabled={busy}>
            {label('oversight.action', action)}
          </button>
        </form>
      ) : null}
    </section>
  );
}
