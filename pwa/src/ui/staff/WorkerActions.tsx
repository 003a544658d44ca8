/** The worker's buttons on a case, by its allowedActions: 签收, 处置反馈 (after-photo required), 退回, 延期. */
import { useEffect, useState } from 'preact/hooks';
import { can, extensionMinutes, reasonOk, resolveProblem } from '../../actions/case-logic';
import type { WorkerMove } from '../../actions/worker-moves';
import { performMove } from '../../actions/worker-runner';
import type { CaseOut } from '../../api/types';
import { t } from '../../i18n';
import type { RunMove } from './CaseDetail';
import { PhotoNoteForm } from './PhotoNoteForm';

type Form = 'resolve' | 'return' | 'extension' | null;

interface Props {
  item: CaseOut;
  token: string;
  run: RunMove;
  busy: boolean;
}

/** Every worker move goes online first and is queued for later when the network is gone. */
function move(props: Props, what: WorkerMove): void {
  void props.run(() => performMove(props.token, props.item, what));
}

export function WorkerActions(props: Props) {
  const [form, setForm] = useState<Form>(null);
  const { item, busy } = props;
  const allowed = item.allowedActions;
  // A move that changes the status closes the form; a 409 reload keeps what was typed and photographed.
  useEffect(() => setForm(null), [item.status]);
  const toggle = (next: Form) => setForm(form === next ? null : next);
  return (
    <>
      <div class="action-row">
        {can(allowed, 'accept') ? (
          <button type="button" class="primary-inline" data-testid="action-accept" disabled={busy} onClick={() => move(props, { kind: 'accept' })}>
            {t('action.accept')}
          </button>
        ) : null}
        {can(allowed, 'resolve') ? (
          <button type="button" class="primary-inline" data-testid="action-resolve" disabled={busy} aria-expanded={form === 'resolve'} onClick={() => toggle('resolve')}>
            {t('action.resolve')}
          </button>
        ) : null}
        {can(allowed, 'return') ? (
          <button type="button" data-testid="action-return" disabled={busy} aria-expanded={form === 'return'} onClick={() => toggle('return')}>
            {t('action.return')}
          </button>
        ) : null}
        {can(allowed, 'request_extension') ? (
          <button type="button" data-testid="action-extension" disabled={busy} aria-expanded={form === 'extension'} onClick={() => toggle('extension')}>
            {t('action.extension')}
          </button>
        ) : null}
      </div>
      {form === 'resolve' ? <ResolveForm {...props} /> : null}
      {form === 'return' ? <ReturnForm {...props} /> : null}
      {form === 'extension' ? <ExtensionForm {...props} /> : null}
    </>
  );
}

function ResolveForm(props: Props) {
  return (
    <PhotoNoteForm
      testId="resolve"
      photoLabel={t('resolve.photo')}
      noteLabel={t('resolve.note')}
      notePlaceholder={t('resolve.notePlaceholder')}
      noteMax={500}
      submitLabel={t('resolve.submit')}
      problem={resolveProblem}
      locate
      sendingNote={t('resolve.uploading')}
      noPositionNote={t('resolve.noLocation')}
      busy={props.busy}
      onSubmit={({ note, photos, where }) => props.run(() => performMove(props.token, props.item, { kind: 'resolve', note, photos, ...(where ?? {}) }))}
    />
  );
}

function ReturnForm(props: Props) {
  const { busy } = props;
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState(false);
  const submit = () => {
    if (!reasonOk(reason)) return setProblem(true);
    setProblem(false);
    move(props, { kind: 'return', note: reason.trim() });
  };
  return (
    <form class="move-form" onSubmit={(e) => (e.preventDefault(), submit())}>
      <label class="field">
        <span>{t('return.reason')}</span>
        <textarea data-testid="return-reason" rows={2} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      {problem ? <p class="problem" role="alert">{t('return.needReason')}</p> : null}
      <button type="submit" class="primary" data-testid="return-submit" disabled={busy}>
        {t('return.submit')}
      </button>
    </form>
  );
}

function ExtensionForm(props: Props) {
  const { busy } = props;
  const [hours, setHours] = useState('24');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState(false);
  const submit = () => {
    const minutes = extensionMinutes(hours);
    if (minutes === null || !reasonOk(reason)) return setProblem(true);
    setProblem(false);
    move(props, { kind: 'extension', minutes, reason: reason.trim() });
  };
  return (
    <form class="move-form" onSubmit={(e) => (e.preventDefault(), submit())}>
      <label class="field">
        <span>{t('extension.hours')}</span>
        <input data-testid="extension-hours" type="number" inputMode="decimal" min="1" step="1" value={hours} onInput={(e) => setHours(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t('extension.reason')}</span>
        <textarea data-testid="extension-reason" rows={2} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      {problem ? <p class="problem" role="alert">{t('extension.invalid')}</p> : null}
      <button type="submit" class="primary" data-testid="extension-submit" disabled={busy}>
        {t('extension.submit')}
      </button>
    </form>
  );
}
