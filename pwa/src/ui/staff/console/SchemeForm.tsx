/** 考核方案 typed in at the desk: a name, a year, a region, and its indicators row by row (weight,
 * where the value comes from, the target that earns full points, which way is better). */
import { useState } from 'preact/hooks';
import { createScheme, SOURCES, type Direction, type Indicator, type Source } from '../../../api/oversight';
import { t } from '../../../i18n';
import { label, Refusal, RegionChoices } from './AreaParts';

interface IndicatorRow {
  key: string;
  name: string;
  nameEn: string;
  weight: string;
  source: Source;
  target: string;
  direction: Direction;
}

const blankIndicator = (): IndicatorRow => ({ key: '', name: '', nameEn: '', weight: '', source: 'on_time_rate', target: '', direction: 'higher' });

/** A row as the API takes it, or the 1-based row that is not yet right. */
function toIndicators(rows: readonly IndicatorRow[]): Indicator[] | number {
  const out: Indicator[] = [];
  for (const [i, r] of rows.entries()) {
    if (!r.key.trim() && !r.name.trim()) continue;
    const weight = Number(r.weight);
    const target = r.target.trim() === '' ? null : Number(r.target);
    const keyOk = /^[a-z][a-z0-9_]{0,39}$/.test(r.key.trim());
    if (!keyOk || !r.name.trim() || !(weight > 0) || (target !== null && !(target >= 0)) || (r.source !== 'manual' && target === null)) return i + 1;
    out.push({ key: r.key.trim(), name: r.name.trim(), nameEn: r.nameEn.trim(), weight, source: r.source, target: r.source === 'manual' ? null : target, direction: r.direction });
  }
  return out;
}

/** 考核方案: a name, a year, a region, and indicators row by row. */
export function NewScheme(props: { token: string; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const [region, setRegion] = useState('');
  const [rows, setRows] = useState<IndicatorRow[]>([blankIndicator()]);
  const [badRow, setBadRow] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const setRow = (i: number, patch: Partial<IndicatorRow>) => setRows((had) => had.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const submit = async () => {
    setError(null);
    const indicators = toIndicators(rows);
    if (typeof indicators === 'number') return setBadRow(indicators);
    setBadRow(null);
    setBusy(true);
    try {
      await createScheme(props.token, { name: name.trim(), year: Number(year), regionCode: region.trim(), indicators });
      props.onCreated();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="move-form area-form" data-testid="scheme-form" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <div class="form-grid">
        <label class="field">
          <span>{t('oversight.schemeName')}</span>
          <input type="text" data-testid="scheme-name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('oversight.year')}</span>
          <input type="text" inputMode="numeric" data-testid="scheme-year" required value={year} onInput={(e) => setYear(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('areas.regionCode')}</span>
          <input type="text" list="scheme-regions" data-testid="scheme-region" required value={region} onInput={(e) => setRegion(e.currentTarget.value)} />
          <RegionChoices token={props.token} id="scheme-regions" />
        </label>
      </div>
      <div class="table-wrap">
        <table class="dense" data-testid="indicator-rows">
          <thead>
            <tr>
              <th scope="col">{t('oversight.indicatorKey')}</th>
              <th scope="col">{t('oversight.indicatorName')}</th>
              <th scope="col">{t('oversight.indicatorNameEn')}</th>
              <th scope="col">{t('oversight.weight')}</th>
              <th scope="col">{t('oversight.source')}</th>
              <th scope="col">{t('oversight.targetValue')}</th>
              <th scope="col">{t('oversight.direction')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i} data-testid="indicator-row">
                <td>
                  <input type="text" data-testid="indicator-key" aria-label={t('oversight.indicatorKey')} value={r.key} onInput={(e) => setRow(i, { key: e.currentTarget.value })} />
                </td>
                <td>
                  <input type="text" data-testid="indicator-name" aria-label={t('oversight.indicatorName')} value={r.name} onInput={(e) => setRow(i, { name: e.currentTarget.value })} />
                </td>
                <td>
                  <input type="text" data-testid="indicator-name-en" aria-label={t('oversight.indicatorNameEn')} value={r.nameEn} onInput={(e) => setRow(i, { nameEn: e.currentTarget.value })} />
                </td>
                <td>
                  <input type="text" inputMode="decimal" data-testid="indicator-weight" aria-label={t('oversight.weight')} value={r.weight} onInput={(e) => setRow(i, { weight: e.currentTarget.value })} />
                </td>
                <td>
                  <select data-testid="indicator-source" aria-label={t('oversight.source')} value={r.source} onChange={(e) => setRow(i, { source: e.currentTarget.value as Source })}>
                    {SOURCES.map((s) => (
                      <option key={s} value={s}>
                        {label('oversight.sourceName', s)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input type="text" inputMode="decimal" data-testid="indicator-target" aria-label={t('oversight.targetValue')} disabled={r.source === 'manual'} value={r.target} onInput={(e) => setRow(i, { target: e.currentTarget.value })} />
                </td>
                <td>
                  <select
                    data-testid="indicator-direction"
                    aria-label={t('oversight.direction')}
                    value={r.direction}
                    onChange={(e) => setRow(i, { direction: e.currentTarget.value as Direction })}
                    onKeyDown={(e) => {
                      if (e.key !== 'Enter') return;
                      e.preventDefault();
                      setRows((had) => [...had, blankIndicator()]);
                    }}
                  >
                    <option value="higher">{t('oversight.higher')}</option>
                    <option value="lower">{t('oversight.lower')}</option>
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {badRow !== null ? (
        <p class="problem" role="alert" data-testid="scheme-row-problem">
          {t('oversight.indicatorProblem', { row: badRow })}
        </p>
      ) : null}
      <Refusal error={error} testId="scheme-problem" />
      <div class="area-head-actions">
        <button type="button" class="small" data-testid="indicator-add" onClick={() => setRows((had) => [...had, blankIndicator()])}>
          {t('oversight.addIndicator')}
        </button>
        <button type="submit" class="primary" data-testid="scheme-submit" disabled={busy}>
          {t('oversight.createScheme')}
        </button>
      </div>
    </form>
  );
}
