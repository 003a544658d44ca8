/** The console's move forms that need more than a tap: 转办, 上报, 延期审批, 查看举报人. */
import { useState } from 'preact/hooks';
import { decideExtension, escalate, reveal, transfer } from '../../api/cases';
import type { CaseOut, ContactOut } from '../../api/types';
import { t, type MessageKey } from '../../i18n';
import { errorMessage } from '../common';
import type { RunMove } from './CaseDetail';

export interface MoveProps {
  item: CaseOut;
  token: string;
  run: RunMove;
  busy: boolean;
}

function NoteField(props: { label: string; value: string; onInput: (v: string) => void; testId: string; required?: boolean }) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <textarea
        data-testid={props.testId}
        rows={2}
        maxLength={500}
        required={props.required}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </label>
  );
}

export function TransferForm({ item, token, run, busy }: MoveProps) {
  const [kind, setKind] = useState<'region' | 'department'>('region');
  const [code, setCode] = useState('');
  const [note, setNote] = useState('');
  const target = kind === 'region' ? { regionCode: code.trim() } : { departmentCode: code.trim() };
  return (
    <form class="move-form" onSubmit={(e) => (e.preventDefault(), code.trim() && void run(() => transfer(token, item.id, item.version, target, note.trim())))}>
      <fieldset class="inline-choice">
        <legend>{t('transfer.to')}</legend>
        <label class="switch">
          <input type="radio" name="transfer-kind" checked={kind === 'region'} onChange={() => setKind('region')} />
          <span>{t('transfer.region')}</span>
        </label>
        <label class="switch">
          <input type="radio" name="transfer-kind" data-testid="transfer-department" checked={kind === 'department'} onChange={() => setKind('department')} />
          <span>{t('transfer.department')}</span>
        </label>
      </fieldset>
      <label class="field">
        <span>{kind === 'region' ? t('transfer.regionCode') : t('transfer.departmentCode')}</span>
        <input type="text" data-testid="transfer-code" required maxLength={40} value={code} onInput={(e) => setCode(e.currentTarget.value)} />
      </label>
      <NoteField label={t('transfer.note')} value={note} onInput={setNote} testId="transfer-note" />
      <button type="submit" class="primary" data-testid="transfer-submit" disabled={busy || !code.trim()}>
        {t('transfer.submit')}
      </button>
    </form>
  );
}

export function EscalateForm({ item, token, run, busy }: MoveProps) {
  const [note, setNote] = useState('');
  return (
    <form class="move-form" onSubmit={(e) => (e.preventDefault(), void run(() => escalate(token, item.id, item.version, note.trim())))}>
      <NoteField label={t('escalate.note')} value={note} onInput={setNote} testId="escalate-note" />
      <button type="submit" class="primary" data-testid="escalate-submit" disabled={busy}>
        {t('escalate.submit')}
      </button>
    </form>
  );
}

/** 延期审批: only a pending request can be decided; the note goes to the worker. */
export function ExtensionDecisionForm({ item, token, run, busy }: MoveProps) {
  const [note, setNote] = useState('');
  const pending = item.extensions.find((x) => x.state === 'pending');
  if (!pending) return <p class="hint">{t('extension.nonePending')}</p>;
  const decide = (approve: boolean) => void run(() => decideExtension(token, item.id, item.version, approve, note.trim()));
  return (
    <div class="move-form" data-testid="extension-decision">
      <p>{t('case.extensionItem', { hours: Math.round((pending.minutes / 60) * 10) / 10, reason: pending.reason, state: t(`extensionState.${pending.state}` as MessageKey) })}</p>
      <NoteField label={t('extension.decisionNote')} value={note} onInput={setNote} testId="extension-decision-note" />
      <div class="action-row">
        <button type="button" class="primary-inline" data-testid="extension-approve" disabled={busy} onClick={() => decide(true)}>
          {t('extension.approve')}
        </button>
        <button type="button" data-testid="extension-deny" disabled={busy} onClick={() => decide(false)}>
          {t('extension.deny')}
        </button>
      </div>
    </div>
  );
}

/** 查看举报人: a written reason (kept in the audit log) before the contact is shown. */
export function RevealForm({ item, token }: MoveProps) {
  const [reason, setReason] = useState('');
  const [contact, setContact] = useState<ContactOut | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    // The server's rule: at least 10 characters, not one character repeated.
    const typed = reason.replace(/\s+/g, '');
    if (reason.trim().length < 10 || new Set(typed).size < 2) return setProblem(t('reveal.needReason'));
    setBusy(true);
    setProblem(null);
    try {
      setContact(await reveal(token, item.id, reason.trim()));
    } catch (e) {
      setProblem(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  if (contact) {
    return (
      <dl class="contact" data-testid="reveal-contact">
        <dt>{t('reveal.nickname')}</dt>
        <dd>{contact.nickname ?? '—'}</dd>
        <dt>{t('reveal.phone')}</dt>
        <dd data-testid="reveal-phone">{contact.phone ?? '—'}</dd>
        {contact.anonymous ? <dd class="muted">{t('reveal.wasAnonymous')}</dd> : null}
      </dl>
    );
  }
  return (
    <form class="move-form" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <p class="hint">{t('reveal.hint')}</p>
      <NoteField label={t('reveal.reason')} value={reason} onInput={setReason} testId="reveal-reason" required />
      {problem ? (
        <p class="problem" role="alert" data-testid="reveal-problem">
          {problem}
        </p>
      ) : null}
      <button type="submit" class="primary" data-testid="reveal-submit" disabled={busy}>
        {t('reveal.submit')}
      </button>
    </form>
  );
}
