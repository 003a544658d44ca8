/** 季度公开报告: choose a region's quarter, what it shows and which published survey, preview it,
 * publish it (each publication a new version), and the published versions with their page and
 * workbook. */
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { percent } from '../../../actions/periods';
import { coveringSurvey, figureText, FIGURES, sameReportAsked, startedQuarters } from '../../../actions/survey-logic';
import { ApiError } from '../../../api/http';
import {
  listPublicReports,
  previewReport,
  publishReport,
  REPORT_SECTIONS,
  reportPageUrl,
  reportWorkbookUrl,
  type PublicReport,
  type PublicReportIn,
  type PublicReportRef,
  type ReportSection,
} from '../../../api/public-reports';
import { listSurveys, type SurveyListItem } from '../../../api/survey-admin';
import { listRegions } from '../../../api/staff';
import type { RegionNodeOut } from '../../../api/types';
import { lang, t, type MessageKey } from '../../../i18n';
import { label, Refusal, RegionChoices, when } from './AreaParts';
import { ConfirmedStep } from './SurveysParts';

const QUARTERS_OFFERED = 8;

/** A preview with the request it answers: publishing sends that request, not whatever the form holds later. */
interface Previewed {
  asked: PublicReportIn;
  report: PublicReport;
}

export function PublicReports(props: { token: string; signOut: () => void }) {
  const quarters = startedQuarters(new Date(), QUARTERS_OFFERED);
  const [region, setRegion] = useState('');
  const [quarter, setQuarter] = useState(`${quarters[0]!.year}-${quarters[0]!.quarter}`);
  const [sections, setSections] = useState<ReportSection[]>([...REPORT_SECTIONS]);
  const [surveys, setSurveys] = useState<SurveyListItem[]>([]);
  const [surveyId, setSurveyId] = useState('');
  const [previewed, setPreviewed] = useState<Previewed | null>(null);
  const [tree, setTree] = useState<Map<string, string | null>>(new Map());
  const [published, setPublished] = useState<PublicReportRef[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  const [made, setMade] = useState<PublicReport | null>(null);
  const en = lang() === 'en';
  const fail = (e: unknown) => (e instanceof ApiError && e.status === 401 ? props.signOut() : setError(e));

  useEffect(() => {
    // The caller's own region is the first one a report is made for.
    listRegions(props.token).then(async (roots) => {
      setRegion((had) => had || roots[0]?.code || '');
      // The regions under the caller's, to tell which published survey covers the region chosen.
      const children = await Promise.all(roots.filter((r) => r.childCount > 0).map((r) => listRegions(props.token, r.code).catch((): RegionNodeOut[] => [])));
      setTree(new Map([...roots, ...children.flat()].map((r) => [r.code, r.parentCode])));
    }, fail);
    listSurveys(props.token, { state: 'published', purpose: 'safety' }).then((got) => setSurveys(got.filter((s) => s.placeId === null)), fail);
  }, [props.token]);

  const code = region.trim();
  // The survey offered first is the one covering the region: its own or an ancestor's, else none.
  useEffect(() => {
    const covering = coveringSurvey(surveys, code, (c) => tree.get(c));
    setSurveyId(covering ? String(covering.id) : '');
  }, [code, surveys, tree]);
  useEffect(() => {
    if (!/^\d{6,}$/.test(code)) return;
    let gone = false;
    setPublished(null);
    listPublicReports(code).then((got) => !gone && setPublished(got), (e: unknown) => !gone && fail(e));
    return () => {
      gone = true;
    };
  }, [code, version]);

  const chosen = (): PublicReportIn => {
    const [year, q] = quarter.split('-').map(Number);
    const withSurvey = sections.includes('survey') && surveyId !== '';
    return { regionCode: code, year: year!, quarter: q!, sections, ...(withSurvey ? { surveyId: Number(surveyId) } : {}) };
  };
  // What the form asks for now, read when a preview arrives.
  const asking = useRef(chosen);
  asking.current = chosen;
  const look = async () => {
    setMade(null);
    setBusy(true);
    setError(null);
    const asked = chosen();
    try {
      const report = await previewReport(props.token, asked);
      // The form changed while the preview was on its way: it no longer shows what would be published.
      if (sameReportAsked(asked, asking.current())) setPreviewed({ asked, report });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  const preview = previewed && sameReportAsked(previewed.asked, chosen()) ? previewed : null;
  const setPreview = (none: null) => setPreviewed(none);
  const toggle = (s: ReportSection, on: boolean) => setSections(on ? REPORT_SECTIONS.filter((x) => x === s || sections.includes(x)) : sections.filter((x) => x !== s));

  return (
    <section data-testid="public-reports">
      <div class="section-head">
        <h2>{t('publicReports.title')}</h2>
        <a href="#/surveys" class="button-link">
          {t('console.surveys')}
        </a>
      </div>
      <form class="move-form area-form" data-testid="report-form" onSubmit={(e) => (e.preventDefault(), void look())}>
        <div class="form-grid">
          <label class="field">
            <span>{t('areas.regionCode')}</span>
            <input type="text" list="report-regions" data-testid="report-region" required value={region} onInput={(e) => (setRegion(e.currentTarget.value), setPreview(null))} />
            <RegionChoices token={props.token} id="report-regions" />
          </label>
          <label class="field">
            <span>{t('publicReports.quarter')}</span>
            <select data-testid="report-quarter" value={quarter} onChange={(e) => (setQuarter(e.currentTarget.value), setPreview(null))}>
              {quarters.map((q) => (
                <option key={`${q.year}-${q.quarter}`} value={`${q.year}-${q.quarter}`}>
                  {t('publicReports.quarterName', { year: q.year, quarter: q.quarter })}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t('publicReports.survey')}</span>
            <select data-testid="report-survey" value={surveyId} disabled={!sections.includes('survey')} onChange={(e) => (setSurveyId(e.currentTarget.value), setPreview(null))}>
              <option value="">{t('publicReports.noSurvey')}</option>
              {surveys.map((s) => (
                <option key={s.id} value={String(s.id)}>
                  {en ? s.titleEn : s.title} · {s.regionName}
                </option>
              ))}
            </select>
          </label>
        </div>
        <fieldset class="plan-cooperating" data-testid="report-sections">
          <legend>{t('publicReports.sections')}</legend>
          {REPORT_SECTIONS.map((s) => (
            <label key={s} class="switch">
              <input type="checkbox" data-testid={`report-section-${s}`} checked={sections.includes(s)} onChange={(e) => (toggle(s, e.currentTarget.checked), setPreview(null))} />
              <span>{t(`publicReports.section.${s}` as MessageKey)}</span>
            </label>
          ))}
        </fieldset>
        <Refusal error={error} testId="report-problem" />
        <div class="area-head-actions">
          <button type="submit" data-testid="report-preview" disabled={busy || sections.length === 0}>
            {t('publicReports.preview')}
          </button>
          {preview ? (
            <ConfirmedStep
              id="report-publish"
              label="publicReports.publish"
              question="publicReports.publishQuestion"
              run={() => publishReport(props.token, preview.asked).then(setMade)}
              onDone={() => (setPreview(null), setVersion((n) => n + 1))}
            />
          ) : null}
        </div>
      </form>
      {made && !preview ? (
        <p class="ok-note" role="status" data-testid="report-published" data-version={made.version ?? ''}>
          {t('publicReports.publishedVersion', { region: made.regionName, n: made.version ?? 1 })}
        </p>
      ) : null}
      {preview ? <ReportView report={preview.report} /> : null}
      <h3>{t('publicReports.published')}</h3>
      <ul class="cards compact" data-testid="report-list">
        {(published ?? []).map((r) => (
          <li key={r.id} class="card" data-testid="report-item" data-report-id={r.id} data-version={r.version ?? ''}>
            <span>
              {r.regionName} · {t('publicReports.quarterName', { year: r.year, quarter: r.quarter })}
              {r.version ? ` · ${t('publicReports.version', { n: r.version })}` : ''} · {when(r.publishedAt)}
            </span>{' '}
            <a href={reportPageUrl(r.id)} target="_blank" rel="noopener" data-testid="report-page-link">
              {t('publicReports.page')}
            </a>{' '}
            <a href={reportWorkbookUrl(r.id)} download data-testid="report-workbook-link">
              {t('publicReports.workbook')}
            </a>
          </li>
        ))}
      </ul>
      {published?.length === 0 ? (
        <p class="hint" data-testid="reports-empty">
          {t('publicReports.none')}
        </p>
      ) : null}
    </section>
  );
}

/** What the report will show: only the chosen sections, with withheld figures as dashes. */
function ReportView(props: { report: PublicReport }) {
  const r = props.report;
  const f = r.figures;
  const en = lang() === 'en';
  return (
    <article class="area-form report-preview" data-testid="report-preview-body" data-sections={r.sections.join(',')}>
      <h3>
        {r.regionName} · {t('publicReports.quarterName', { year: r.year, quarter: r.quarter })}
      </h3>
      {r.sections.includes('reports') && f.reports ? (
        <section data-testid="preview-reports">
          <h4>{t('publicReports.section.reports')}</h4>
          <dl class="facts">
            <dt>{t('publicReports.valid')}</dt>
            <dd data-testid="preview-valid">{f.reports.valid ?? t('publicReports.withheld')}</dd>
            <dt>{t('stats.closeRate')}</dt>
            <dd>{percent(f.reports.closeRate)}</dd>
            <dt>{t('stats.onTimeRate')}</dt>
            <dd>{percent(f.reports.onTimeRate)}</dd>
            <dt>{t('stats.satisfactionRate')}</dt>
            <dd>{percent(f.reports.satisfactionRate)}</dd>
          </dl>
          {f.categories?.length ? (
            <ul class="plain">
              {f.categories.map((c) => (
                <li key={c.code}>
                  {en ? c.nameEn : c.name} {c.count}
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}
      {r.sections.includes('areas') ? (
        <section data-testid="preview-areas">
          <h4>{t('publicReports.section.areas')}</h4>
          <p>{t('publicReports.areaCounts', { flagged: f.flagged?.length ?? 0, lifted: f.lifted?.length ?? 0 })}</p>
          <ul class="plain">
            {(f.flagged ?? []).map((a) => (
              <li key={a.id}>
                {a.name} · {a.regionName} · {label('areaState', a.state ?? '')}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {r.sections.includes('survey') ? (
        <section data-testid="preview-survey">
          <h4>{t('publicReports.section.survey')}</h4>
          {f.survey ? (
            <dl class="facts">
              <dt>{t('publicReports.survey')}</dt>
              <dd>{en ? f.survey.titleEn : f.survey.title}</dd>
              {FIGURES.filter((n) => f.survey?.indices[n]).map((n) => (
                <Fragment key={n}>
                  <dt>{t(`surveys.figure.${n}` as MessageKey)}</dt>
                  <dd data-testid={`preview-${n}`}>{figureText(f.survey?.indices[n])}</dd>
                </Fragment>
              ))}
            </dl>
          ) : (
            <p class="hint">{t('publicReports.noSurvey')}</p>
          )}
        </section>
      ) : null}
    </article>
  );
}
