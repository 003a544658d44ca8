/** 研判会/联席会议: record who met and what they decided for each area; the 建议书 of each meeting. */
import { useEffect, useState } from 'preact/hooks';
import { areaHash } from '../../../actions/area-logic';
import { ApiError } from '../../../api/http';
import {
  AREA_LEVELS,
  listAreas,
  listMeetings,
  meetingProposal,
  recordMeeting,
  type AreaLevel,
  type AreaSummary,
  type Decision,
  type Meeting,
} from '../../../api/key-areas';
import { t } from '../../../i18n';
import { label, LevelMark, Refusal, RegionChoices, StateBadge } from './AreaParts';

/** Areas a meeting judges: found, proposed, or back after a recurrence. */
const ON_THE_TABLE = ['candidate', 'proposed', 'relisted'] as const;

interface Choice {
  decision: Decision['decision'] | '';
  level: AreaLevel | '';
  reason: string;
}

const NONE: Choice = { decision: '', level: '', reason: '' };

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function Meetings(props: { token: string; signOut: () => void }) {
  const [areas, setAreas] = useState<AreaSummary[] | null>(null);
  const [meetings, setMeetings] = useState<Meeting[] | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const fail = (e: unknown) => (e instanceof ApiError && e.status === 401 ? props.signOut() : setError(e));
  useEffect(() => {
    Promise.all(ON_THE_TABLE.map((state) => listAreas(props.token, { state }))).then((pages) => setAreas(pages.flatMap((p) => p.items)), fail);
    listMeetings(props.token).then(setMeetings, fail);
  }, [props.token, version]);
  return (
    <section data-testid="meetings">
      <div class="section-head">
        <h2>{t('meetings.title')}</h2>
        <a href="#/areas" class="button-link">
          {t('areas.title')}
        </a>
      </div>
      <Refusal error={error} />
      {areas ? <MeetingForm token={props.token} areas={areas} onDone={() => setVersion((n) => n + 1)} /> : <p class="hint">{t('common.loading')}</p>}
      <h3>{t('meetings.past')}</h3>
      <ul class="cards" data-testid="meeting-list">
        {(meetings ?? []).map((m) => (
          <MeetingItem key={m.id} meeting={m} token={props.token} />
        ))}
      </ul>
      {meetings?.length === 0 ? <p class="hint">{t('meetings.none')}</p> : null}
    </section>
  );
}

function MeetingItem(props: { meeting: Meeting; token: string }) {
  const m = props.meeting;
  const [error, setError] = useState<unknown>(null);
  return (
    <li class="card meeting-card" data-testid="meeting-item" data-meeting-id={m.id}>
      <div>
        <p>
          <strong>{label('meetingKind', m.kind)}</strong> · {m.heldOn} · {m.regionName}
        </p>
        {m.units.length ? <p class="muted">{m.units.join('、')}</p> : null}
        <ul>
          {m.decisions.map((d) => (
            <li key={d.areaId}>
              <a href={areaHash(d.areaId)}>#{d.areaId}</a> {label('decision', d.decision)}
              {d.level ? ` (${label('hotspots', d.level)})` : ''} — {d.reason}
            </li>
          ))}
        </ul>
        <button type="button" class="small" data-testid="meeting-proposal" onClick={() => void meetingProposal(props.token, m.id).catch(setError)}>
          {t('meetings.proposal')}
        </button>
        <Refusal error={error} />
      </div>
    </li>
  );
}

function MeetingForm(props: { token: string; areas: AreaSummary[]; onDone: () => void }) {
  const [kind, setKind] = useState<Meeting['kind']>('judgement');
  const [region, setRegion] = useState('');
  const [heldOn, setHeldOn] = useState(today());
  const [units, setUnits] = useState('');
  const [notes, setNotes] = useState('');
  const [choices, setChoices] = useState<Record<number, Choice>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<Meeting | null>(null);
  const choose = (id: number, change: Partial<Choice>) => setChoices({ ...choices, [id]: { ...(choices[id] ?? NONE), ...change } });
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const decisions: Decision[] = [];
      for (const [id, c] of Object.entries(choices)) {
        if (!c.decision) continue;
        // A level belongs to a listing or a flag; a dismissal or a deferral carries none.
        const leveled = c.decision === 'list' || c.decision === 'flag';
        decisions.push({ areaId: Number(id), decision: c.decision, reason: c.reason.trim(), level: leveled && c.level ? c.level : null });
      }
      const meeting = await recordMeeting(props.token, {
        kind,
        regionCode: region.trim(),
        heldOn,
        units: units
          .split(/[,，、;；\n]/)
          .map((u) => u.trim())
          .filter(Boolean),
        notes: notes.trim(),
        decisions,
      });
      setSaved(meeting);
      setChoices({});
      props.onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="move-form area-form" data-testid="meeting-form" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <div class="form-grid">
        <label class="field">
          <span>{t('meetings.kind')}</span>
          <select data-testid="meeting-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Meeting['kind'])}>
            <option value="judgement">{label('meetingKind', 'judgement')}</option>
            <option value="joint">{label('meetingKind', 'joint')}</option>
          </select>
        </label>
        <label class="field">
          <span>{t('meetings.heldOn')}</span>
          <input type="date" data-testid="meeting-date" required value={heldOn} onInput={(e) => setHeldOn(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('areas.regionCode')}</span>
          <input type="text" list="meeting-regions" data-testid="meeting-region" required value={region} onInput={(e) => setRegion(e.currentTarget.value)} />
          <RegionChoices token={props.token} id="meeting-regions" />
        </label>
      </div>
      <label class="field">
        <span>{t('meetings.units')}</span>
        <input type="text" data-testid="meeting-units" value={units} onInput={(e) => setUnits(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t('meetings.notes')}</span>
        <textarea data-testid="meeting-notes" rows={3} maxLength={4000} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      </label>
      <table class="dense" data-testid="meeting-areas">
        <thead>
          <tr>
            <th scope="col">{t('areas.name')}</th>
            <th scope="col">{t('areas.state')}</th>
            <th scope="col">{t('areas.reports30')}</th>
            <th scope="col">{t('meetings.decision')}</th>
            <th scope="col">{t('hotspots.level')}</th>
            <th scope="col">{t('areas.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {props.areas.map((a) => {
            const c = choices[a.id] ?? NONE;
            return (
              <tr key={a.id} data-testid="meeting-area" data-area-id={a.id}>
                <th scope="row">
                  <a href={areaHash(a.id)}>{a.name}</a> <LevelMark level={a.level} />
                </th>
                <td>
                  <StateBadge state={a.state} />
                </td>
                <td>{a.reports30D}</td>
                <td>
                  <select aria-label={t('meetings.decision')} data-testid="meeting-decision" value={c.decision} onChange={(e) => choose(a.id, { decision: e.currentTarget.value as Choice['decision'] })}>
                    <option value="">—</option>
                    {(['list', 'flag', 'dismiss', 'defer'] as const).map((d) => (
                      <option key={d} value={d}>
                        {label('decision', d)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <select aria-label={t('hotspots.level')} data-testid="meeting-level" value={c.level} onChange={(e) => choose(a.id, { level: e.currentTarget.value as AreaLevel })}>
                    <option value="">—</option>
                    {AREA_LEVELS.map((l) => (
                      <option key={l} value={l}>
                        {label('hotspots', l)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input
                    type="text"
                    aria-label={t('areas.reason')}
                    data-testid="meeting-reason"
                    required={Boolean(c.decision)}
                    minLength={2}
                    maxLength={500}
                    value={c.reason}
                    onInput={(e) => choose(a.id, { reason: e.currentTarget.value })}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {props.areas.length === 0 ? <p class="hint">{t('meetings.noAreas')}</p> : null}
      <Refusal error={error} testId="meeting-problem" />
      {saved ? (
        <p data-testid="meeting-saved">
          {t('meetings.saved')}{' '}
          <button type="button" class="small" data-testid="meeting-saved-proposal" onClick={() => void meetingProposal(props.token, saved.id).catch(setError)}>
            {t('meetings.proposal')}
          </button>
        </p>
      ) : null}
      <button type="submit" class="primary-inline" data-testid="meeting-submit" disabled={busy}>
        {t('meetings.record')}
      </button>
    </form>
  );
}
