/** 新建督查 on site: how the visit was made, by whom, where, and what was found — each finding with
 * its responsible region, deadline and photos. Stored on the phone first, sent when there is signal. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { locate } from '../../actions/geo';
import { sha256Hex } from '../../actions/ids';
import { shrinkPhoto } from '../../actions/image';
import {
  defaultDeadline,
  draftProblem,
  fromLocalInput,
  localInputValue,
  NOTE_MAX,
  PHOTOS_MAX,
  TEAM_MAX,
  TEXT_MAX,
  today,
  type FindingDraft,
  type InspectionDraft,
  type QueuedPhoto,
} from '../../actions/inspection-queue';
import { queueInspection, type InspectContext } from '../../actions/inspection-runner';
import type { Focus, Manner, Plan, RegionChoice } from '../../api/inspections';
import { t, type MessageKey } from '../../i18n';
import { errorMessage } from '../common';

interface PickedPhoto extends QueuedPhoto {
  preview: string;
}

interface FindingRow {
  key: number;
  text: string;
  deadline: string;
  unit: string;
  photos: PickedPhoto[];
}

/** The regions to pick from: where the phone stands (deepest first), then one's own, then below. */
export function regionChoices(context: InspectContext): RegionChoice[] {
  const seen = new Set<string>();
  return [...[...context.here].reverse(), ...[...context.chain].reverse(), ...context.below].filter((r) => !seen.has(r.code) && Boolean(seen.add(r.code)));
}

function RegionSelect(props: { testId: string; label: string; value: string; choices: RegionChoice[]; onChange: (code: string) => void }) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <select data-testid={props.testId} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.choices.map((r) => (
          <option key={r.code} value={r.code}>
            {r.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function Choice<T extends string>(props: { testId: string; label: string; value: T; options: readonly T[]; prefix: string; onChange: (value: T) => void }) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <select data-testid={props.testId} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as T)}>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {t(`${props.prefix}.${o}` as MessageKey)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Photos shrunk on the phone; one taken twice in the same inspection is kept once. */
function usePhotoPicker(taken: () => Set<string>) {
  const previews = useRef<string[]>([]);
  useEffect(() => () => previews.current.forEach((url) => URL.revokeObjectURL(url)), []);
  return async (files: FileList | null): Promise<PickedPhoto[]> => {
    const known = taken();
    const added: PickedPhoto[] = [];
    for (const file of Array.from(files ?? [])) {
      const shrunk = await shrinkPhoto(file);
      const clientKey = await sha256Hex(shrunk.bytes);
      if (known.has(clientKey)) continue;
      known.add(clientKey);
      const preview = URL.createObjectURL(new Blob([shrunk.bytes], { type: shrunk.type }));
      previews.current.push(preview);
      added.push({ bytes: shrunk.bytes, type: shrunk.type, clientKey, preview });
    }
    return added;
  };
}

function PhotoPick(props: { testId: string; label: string; photos: PickedPhoto[]; onFiles: (files: FileList | null) => void }) {
  return (
    <>
      <label class="photo-pick">
        <span>{props.label}</span>
        <input data-testid={`${props.testId}-input`} type="file" accept="image/*" capture="environment" multiple onChange={(e) => props.onFiles(e.currentTarget.files)} />
      </label>
      {props.photos.length > 0 ? (
        <div class="gallery" data-testid={`${props.testId}s`} data-count={props.photos.length}>
          {props.photos.map((p) => (
            <img key={p.clientKey} src={p.preview} alt="" width={96} height={96} class="thumb" />
          ))}
        </div>
      ) : null}
    </>
  );
}

const plain = (photos: PickedPhoto[]): QueuedPhoto[] => photos.map(({ bytes, type, clientKey }) => ({ bytes, type, clientKey }));

export function InspectForm(props: { token: string; context: InspectContext; onQueued: () => void }) {
  const choices = regionChoices(props.context);
  const first = choices[0]?.code ?? '';
  const nextKey = useRef(1);
  const newRow = (unit: string): FindingRow => ({ key: nextKey.current++, text: '', deadline: defaultDeadline(new Date()), unit, photos: [] });
  const [manner, setManner] = useState<Manner>('open');
  const [plan, setPlan] = useState<Plan>('random');
  const [focus, setFocus] = useState<Focus>('general');
  const [team, setTeam] = useState('');
  const [day, setDay] = useState(() => today(new Date()));
  const [region, setRegion] = useState(first);
  const [note, setNote] = useState('');
  const [photos, setPhotos] = useState<PickedPhoto[]>([]);
  const [rows, setRows] = useState<FindingRow[]>(() => [newRow(first)]);
  const [where, setWhere] = useState<{ lat: number; lng: number } | null>(null);
  const [locating, setLocating] = useState(true);
  const [problem, setProblem] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const pick = usePhotoPicker(() => new Set([...photos, ...rows.flatMap((r) => r.photos)].map((p) => p.clientKey)));

  useEffect(() => {
    // The phone's position is a bonus on the record, never a condition of filing.
    locate(10000)
      .then(
        (fix) => setWhere({ lat: fix.lat, lng: fix.lng }),
        () => setWhere(null),
      )
      .finally(() => setLocating(false));
  }, []);
  useEffect(() => {
    if (!region && first) setRegion(first);
  }, [first]);

  const setRow = (key: number, change: Partial<FindingRow>) => setRows((all) => all.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const addPhotos = async (files: FileList | null, key: number | null) => {
    const added = await pick(files);
    if (key === null) setPhotos((all) => [...all, ...added].slice(0, PHOTOS_MAX));
    else setRows((all) => all.map((r) => (r.key === key ? { ...r, photos: [...r.photos, ...added].slice(0, PHOTOS_MAX) } : r)));
  };

  const submit = async () => {
    const draft: InspectionDraft = {
      manner,
      plan,
      focus,
      team,
      regionCode: region,
      regionName: choices.find((r) => r.code === region)?.name ?? region,
      day,
      ...(where ?? {}),
      note,
      photos: plain(photos),
      findings: rows.map((r): FindingDraft => ({ text: r.text, deadline: r.deadline, responsibleRegionCode: r.unit, photos: plain(r.photos) })),
    };
    const found = draftProblem(draft, Date.now());
    if (found) {
      const which = found.finding !== undefined ? `${t('inspect.findingNo', { n: found.finding + 1 })}：` : '';
      return setProblem(which + t(found.problem));
    }
    setProblem(null);
    setWorking(true);
    try {
      await queueInspection(props.token, draft);
      props.onQueued();
    } catch (e) {
      setProblem(errorMessage(e));
    } finally {
      setWorking(false);
    }
  };

  return (
    <form class="move-form" data-testid="inspect-form" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <h3>{t('inspect.newTitle')}</h3>
      <Choice testId="inspect-manner" label={t('inspect.manner')} value={manner} options={['open', 'covert'] as const} prefix="inspect.manner" onChange={setManner} />
      <Choice testId="inspect-plan" label={t('inspect.plan')} value={plan} options={['random', 'scheduled'] as const} prefix="inspect.plan" onChange={setPlan} />
      <Choice testId="inspect-focus" label={t('inspect.focus')} value={focus} options={['general', 'special'] as const} prefix="inspect.focus" onChange={setFocus} />
      <label class="field">
        <span>{t('inspect.team')}</span>
        <input data-testid="inspect-team" maxLength={TEAM_MAX} placeholder={t('inspect.teamPlaceholder')} value={team} onInput={(e) => setTeam(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t('inspect.day')}</span>
        <input data-testid="inspect-day" type="date" value={day} onInput={(e) => setDay(e.currentTarget.value)} />
      </label>
      {choices.length > 0 ? (
        <RegionSelect testId="inspect-region" label={t('inspect.region')} value={region} choices={choices} onChange={setRegion} />
      ) : (
        <p class="problem">{t('inspect.noRegions')}</p>
      )}
      <p class="hint" data-testid="inspect-position" data-located={where !== null}>
        {where ? t('inspect.located') : locating ? t('inspect.locating') : t('inspect.notLocated')}
      </p>
      <PhotoPick testId="inspect-photo" label={t('inspect.photo')} photos={photos} onFiles={(files) => void addPhotos(files, null)} />
      <label class="field">
        <span>{t('inspect.note')}</span>
        <textarea data-testid="inspect-note" rows={2} maxLength={NOTE_MAX} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <h3>{t('inspect.findings')}</h3>
      {rows.map((row, index) => (
        <fieldset key={row.key} class="card finding-draft" data-testid="inspect-finding">
          <legend>{t('inspect.findingNo', { n: index + 1 })}</legend>
          <label class="field">
            <span>{t('inspect.findingText')}</span>
            <textarea data-testid="inspect-finding-text" rows={2} maxLength={TEXT_MAX} placeholder={t('inspect.findingPlaceholder')} value={row.text} onInput={(e) => setRow(row.key, { text: e.currentTarget.value })} />
          </label>
          {choices.length > 0 ? <RegionSelect testId="inspect-finding-unit" label={t('inspect.unit')} value={row.unit} choices={choices} onChange={(unit) => setRow(row.key, { unit })} /> : null}
          <label class="field">
            <span>{t('inspect.deadline')}</span>
            <input
              data-testid="inspect-finding-deadline"
              type="datetime-local"
              value={localInputValue(row.deadline)}
              onInput={(e) => setRow(row.key, { deadline: fromLocalInput(e.currentTarget.value) })}
            />
          </label>
          <PhotoPick testId="inspect-finding-photo" label={t('inspect.findingPhoto')} photos={row.photos} onFiles={(files) => void addPhotos(files, row.key)} />
          {rows.length > 1 ? (
            <button type="button" class="small" data-testid="inspect-finding-remove" onClick={() => setRows((all) => all.filter((r) => r.key !== row.key))}>
              {t('inspect.removeFinding')}
            </button>
          ) : null}
        </fieldset>
      ))}
      <button type="button" data-testid="inspect-add-finding" onClick={() => setRows((all) => [...all, newRow(region)])}>
        {t('inspect.addFinding')}
      </button>
      {problem ? (
        <p class="problem" role="alert" data-testid="inspect-problem">
          {problem}
        </p>
      ) : null}
      <button type="submit" class="primary" data-testid="inspect-submit" disabled={working}>
        {working ? t('case.working') : t('inspect.submit')}
      </button>
    </form>
  );
}
