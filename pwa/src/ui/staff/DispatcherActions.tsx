/**
 * The dispatcher's buttons on a case, by its allowedActions: 派遣, 转办, 合并, 上报, 核查 通过/不通过,
 * 不予受理, 延期审批, 备注, and 查看举报人 (which the server allows per account, with a reason).
 */
import { useEffect, useState } from 'preact/hooks';
import { can, REJECT_REASONS } from '../../actions/case-logic';
import { comment, dispatch, reject, verify, type RejectReason } from '../../api/cases';
import type { CaseOut } from '../../api/types';
import { t, type MessageKey } from '../../i18n';
import type { RunMove } from './CaseDetail';
import { EscalateForm, ExtensionDecisionForm, RevealForm, TransferForm } from './DispatcherForms';
import { MergeForm } from './MergeForm';

interface Props {
  item: CaseOut;
  token: string;
  run: RunMove;
  busy: boolean;
}

type Form = 'reject' | 'comment' | 'transfer' | 'merge' | 'escalate' | 'extension' | 'reveal' | null;

/** Moves that open a form, in the order the buttons appear; `reveal` is not a move of the case. */
const FORM_MOVES: readonly { form: Exclude<Form, null>; action: string; label: MessageKey }[] = [
  { form: 'transfer', action: 'transfer', label: 'action.transfer' },
  { form: 'merge', action: 'merge', label: 'action.merge' },
  { form: 'escalate', action: 'escalate', label: 'action.escalate' },
  { form: 'extension', action: 'decide_extension', label: 'action.decideExtension' },
  { form: 'reject', action: 'reject', label: 'action.reject' },
  { form: 'comment', action: 'comment', label: 'action.comment' },
];

export function DispatcherActions(props: Props) {
  const { item, token, run, busy } = props;
  const allowed = item.allowedActions;
  const [form, setForm] = useState<Form>(null);
  const [verifyNote, setVerifyNote] = useState('');
  useEffect(() => setForm(null), [item.status]);
  const toggle = (next: Form) => setForm(form === next ? null : next);
  const canVerify = can(allowed, 'verify_pass') || can(allowed, 'verify_fail');
  return (
    <>
      {canVerify ? (
        <label class="field">
          <span>{t('verify.note')}</span>
          <textarea data-testid="verify-note" rows={2} maxLength={1000} value={verifyNote} onInput={(e) => setVerifyNote(e.currentTarget.value)} />
        </label>
      ) : null}
      <div class="action-row">
        {can(allowed, 'dispatch') ? (
          <button type="button" class="primary-inline" data-testid="action-dispatch" disabled={busy} onClick={() => void run(() => dispatch(token, item.id, item.version))}>
            {t('action.dispatch')}
          </button>
        ) : null}
        {can(allowed, 'verify_pass') ? (
          <button
            type="button"
            class="primary-inline"
            data-testid="action-verify-pass"
            disabled={busy}
            onClick={() => void run(() => verify(token, item.id, item.version, true, verifyNote.trim()))}
          >
            {t('action.verifyPass')}
          </button>
        ) : null}
        {can(allowed, 'verify_fail') ? (
          <button type="button" data-testid="action-verify-fail" disabled={busy} onClick={() => void run(() => verify(token, item.id, item.version, false, verifyNote.trim()))}>
            {t('action.verifyFail')}
          </button>
        ) : null}
        {FORM_MOVES.filter((m) => can(allowed, m.action)).map((m) => (
          <button type="button" key={m.form} data-testid={`action-${m.form}`} disabled={busy} aria-expanded={form === m.form} onClick={() => toggle(m.form)}>
            {t(m.label)}
          </button>
        ))}
        <button type="button" data-testid="action-reveal" aria-expanded={form === 'reveal'} onClick={() => toggle('reveal')}>
          {t('action.reveal')}
        </button>
      </div>
      {form === 'reject' ? <RejectForm {...props} /> : null}
      {form === 'comment' ? <CommentForm {...props} onDone={() => setForm(null)} /> : null}
      {form === 'transfer' ? <TransferForm {...props} /> : null}
      {form === 'merge' ? <MergeForm {...props} /> : null}
      {form === 'escalate' ? <EscalateForm {...props} /> : null}
      {form === 'extension' ? <ExtensionDecisionForm {...props} /> : null}
      {form === 'reveal' ? <RevealForm {...props} /> : null}
    </>
  );
}

function RejectForm({ item, token, run, busy }: Props) {
  const [reason, setReason] = useState<RejectReason>('duplicate');
  const [note, setNote] = useState('');
  return (
    <form class="move-form" onSubmit={(e) => (e.preventDefault(), void run(() => reject(token, item.id, item.version, reason, note.trim())))}>
      <label class="field">
        <span>{t('reject.reason')}</span>
        <select data-testid="reject-reason" value={reason} onChange={(e) => setReason(e.currentTarget.value as RejectReason)}>
          {REJECT_REASONS.map((r) => (
            <option key={r} value={r}>
              {t(`reject.${r}` as MessageKey)}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>{t('reject.note')}</span>
        <textarea data-testid="reject-note" rows={2} maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary" data-testid="reject-submit" disabled={busy}>
        {t('reject.submit')}
      </button>
    </form>
  );
}

function CommentForm({ item, token, run, busy, onDone }: Props & { onDone: () => void }) {
  const [note, setNote] = useState('');
  const [isPublic, setPublic] = useState(false);
  const submit = async () => {
    if (!note.trim()) return;
    if (await run(() => comment(token, item.id, note.trim(), isPublic))) onDone();
  };
  return (
    <form class="move-form" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <label class="field">
        <span>{t('comment.note')}</span>
        <textarea data-testid="comment-note" rows={2} maxLength={1000} required value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <label class="switch">
        <input type="checkbox" data-testid="comment-public" checked={isPublic} onChange={(e) => setPublic(e.currentTarget.checked)} />
        <span>{t('comment.public')}</span>
      </label>
      <button type="submit" class="primary" data-testid="comment-submit" disabled={busy}>
        {t('comment.submit')}
      </button>
    </form>
  );
}
