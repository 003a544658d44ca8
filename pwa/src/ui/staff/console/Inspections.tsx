/** 督导检查 at the desk: the inspections in scope, a new one typed in with its findings row by
 * row (Enter in a row's last field starts the next), and one inspection with its findings. */
import { useEffect, useState } from 'preact/hooks';
import { findingHash, inspectionHash } from '../../../actions/oversight-logic';
import { ApiError } from '../../../api/http';
import { getInspection, listInspections, type FindingOut, type InspectionOut } from '../../../api/oversight';
import { t } from '../../../i18n';
import { label, Refusal, when } from './AreaParts';
import { NewInspection } from './InspectionForm';
import { FindingStateBadge } from './OversightParts';


export function Inspections(props: { token: string; signOut: () => void }) {
  const [items, setItems] = useState<InspectionOut[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const fail = (e: unknown) => (e instanceof ApiError && e.status === 401 ? props.signOut() : setError(e));

  useEffect(() => {
    let gone = false;
    listInspections(props.token).then((page) => {
      if (gone) return;
      setItems(page.items);
      setNext(page.next ? String(page.next) : null);
    }, fail);
    return () => {
      gone = true;
    };
  }, [props.token]);

  const more = async () => {
    setBusy(true);
    try {
      const page = await listInspections(props.token, next);
      setItems((had) => [...(had ?? []), ...page.items]);
      setNext(page.next ? String(page.next) : null);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section data-testid="inspections">
      <div class="section-head">
        <h2>{t('oversight.inspections')}</h2>
        <span class="area-head-actions">
          <a href="#/findings" class="button-link">
            {t('oversight.ledger')}
          </a>
          <button type="button" class="primary-inline" data-testid="inspection-new-open" aria-expanded={creating} onClick={() => setCreating(!creating)}>
            {t('oversight.newInspection')}
          </button>
        </span>
      </div>
      {creating ? <NewInspection token={props.token} onFiled={(id) => (location.hash = inspectionHash(id))} /> : null}
      <Refusal error={error} testId="inspections-problem" />
      <div class="table-wrap">
        <table class="dense" data-testid="inspection-table">
          <thead>
            <tr>
              <th scope="col">{t('oversight.day')}</th>
              <th scope="col">{t('oversight.team')}</th>
              <th scope="col">{t('oversight.manner')}</th>
              <th scope="col">{t('oversight.target')}</th>
              <th scope="col">{t('oversight.findings')}</th>
              <th scope="col">{t('oversight.openFindings')}</th>
            </tr>
          </thead>
          <tbody>
            {(items ?? []).map((i) => (
              <tr key={i.id} data-testid="inspection-row" data-inspection-id={i.id}>
                <th scope="row">
                  <a href={inspectionHash(i.id)} data-testid="inspection-link">
                    {i.day}
                  </a>
                </th>
                <td>{i.team}</td>
                <td>
                  {label('oversight.manner', i.manner)} · {label('oversight.plan', i.plan)} · {label('oversight.focus', i.focus)}
                </td>
                <td>
                  {i.regionName}
                  {i.departmentName ? ` · ${i.departmentName}` : ''}
                </td>
                <td>{i.findings.length}</td>
                <td>{i.findings.filter((f) => f.state !== 'closed').length}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {items === null && !error ? <p class="hint">{t('common.loading')}</p> : null}
        {items?.length === 0 ? (
          <p class="hint" data-testid="inspections-empty">
            {t('oversight.noInspections')}
          </p>
        ) : null}
        {next ? (
          <button type="button" data-testid="inspections-more" disabled={busy} onClick={() => void more()}>
            {t('areas.more')}
          </button>
        ) : null}
      </div>
    </section>
  );
}

/** One inspection: what the team did, where, and its findings with where each stands. */
export function InspectionPage(props: { id: number; token: string; signOut: () => void }) {
  const [item, setItem] = useState<InspectionOut | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    getInspection(props.token, props.id).then(setItem, (e: unknown) => (e instanceof ApiError && e.status === 401 ? props.signOut() : setError(e)));
  }, [props.token, props.id]);
  if (!item)
    return (
      <section>
        <Refusal error={error} />
        {error ? null : <p class="hint">{t('common.loading')}</p>}
      </section>
    );
  return (
    <section data-testid="inspection-page" data-inspection-id={item.id}>
      <div class="section-head">
        <h2>
          {t('oversight.inspectionOf', { day: item.day, team: item.team })}
        </h2>
        <a href="#/inspections" class="button-link">
          {t('oversight.inspections')}
        </a>
      </div>
      <dl class="facts">
        <dt>{t('oversight.manner')}</dt>
        <dd data-testid="inspection-kind">
          {label('oversight.manner', item.manner)} · {label('oversight.plan', item.plan)} · {label('oversight.focus', item.focus)}
        </dd>
        <dt>{t('oversight.target')}</dt>
        <dd>
          {item.regionName}
          {item.departmentName ? ` · ${item.departmentName}` : ''}
        </dd>
        <dt>{t('oversight.filedAt')}</dt>
        <dd>{when(item.createdAt)}</dd>
        {item.note ? (
          <>
            <dt>{t('oversight.note')}</dt>
            <dd>{item.note}</dd>
          </>
        ) : null}
      </dl>
      {item.photos?.length ? (
        <div class="gallery" data-testid="inspection-photos" data-count={item.photos.length}>
          {item.photos.map((url) => (
            <img key={url} src={url} alt="" width={96} height={96} class="thumb" />
          ))}
        </div>
      ) : null}
      <FindingTable findings={item.findings} />
    </section>
  );
}

/** Findings as the ledger shows them: dense, each linked to its page. */
export function FindingTable(props: { findings: readonly FindingOut[]; withInspection?: boolean }) {
  return (
    <div class="table-wrap">
      <table class="dense" data-testid="finding-table">
        <thead>
          <tr>
            <th scope="col">{t('oversight.field.text')}</th>
            <th scope="col">{t('oversight.state')}</th>
            <th scope="col">{t('oversight.field.unit')}</th>
            <th scope="col">{t('oversight.field.deadline')}</th>
            <th scope="col">{t('oversight.closedOnTime')}</th>
            {props.withInspection ? <th scope="col">{t('oversight.inspection')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {props.findings.map((f) => (
            <tr key={f.id} data-testid="finding-item" data-finding-id={f.id} data-state={f.state} data-overdue={String(f.overdue)}>
              <th scope="row">
                <a href={findingHash(f.id)} data-testid="finding-link">
                  {f.text}
                </a>
              </th>
              <td>
                <FindingStateBadge state={f.state} overdue={f.overdue} />
                {f.reopened > 0 ? <span class="muted"> {t('oversight.reopenedTimes', { n: f.reopened })}</span> : null}
              </td>
              <td data-testid="finding-unit-name">
                {f.responsible.name}
                {f.responsibleUser ? ` · ${f.responsibleUser.name}` : ''}
              </td>
              <td class={f.overdue ? 'deadline tone-overdue' : 'deadline'}>{when(f.deadline)}</td>
              <td>{f.state === 'closed' ? (f.closedOnTime ? t('oversight.yes') : t('oversight.no')) : '—'}</td>
              {props.withInspection ? (
                <td>
                  <a href={inspectionHash(f.inspectionId)}>{f.inspectionDay ?? `#${f.inspectionId}`}</a>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
