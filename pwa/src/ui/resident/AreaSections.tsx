/** The parts of 治安动态: reports and how they went, 挂牌督办 areas, the survey, 摘牌, the report. */
import { changeText, figureBar, oneDecimal, percentText, progressPercent, quarterOf } from '../../actions/area-page';
import { publicReportPageUrl, type AreaPage, type Figure, type FlaggedArea, type PublishedSurvey } from '../../api/area-page';
import { lang, t, type MessageKey } from '../../i18n';
import { zhCN } from '../../i18n/zh-CN';

/** A label of the app's own vocabulary (area state, type, level), or the raw value if it is new. */
function label(prefix: string, value: string): string {
  const key = `${prefix}.${value}` as MessageKey;
  return key in zhCN ? t(key) : value;
}

export function AreaSections({ page, onWiden }: { page: AreaPage; onWiden: (code: string) => void }) {
  const { year, quarter } = quarterOf(page.firstDay);
  return (
    <>
      <header class="area-head">
        <h2 data-testid="area-region" data-code={page.region.code}>
          {page.region.name}
        </h2>
        <p class="muted">
          {t('areaPage.quarter', { year, quarter })} · {t('areaPage.asOf', { time: new Date(page.asOf).toLocaleString() })}
        </p>
        {page.parent ? (
          <button type="button" class="link area-widen" data-testid="area-widen" onClick={() => page.parent && onWiden(page.parent.code)}>
            {t('areaPage.widen', { name: page.parent.name })}
          </button>
        ) : null}
      </header>
      <ReportsPart page={page} />
      <FlaggedPart areas={page.flagged} />
      <SurveyPart survey={page.survey} />
      <LiftedPart page={page} />
      {page.report ? (
        <a class="button-link area-report" href={publicReportPageUrl(page.report.id)} target="_blank" rel="noopener" data-testid="area-public-report">
          {t('areaPage.report', { year: page.report.year, quarter: page.report.quarter })}
        </a>
      ) : null}
    </>
  );
}

function ReportsPart({ page }: { page: AreaPage }) {
  const r = page.reports;
  const rates: [MessageKey, number | null, string][] = [
    ['areaPage.closeRate', r.closeRate, 'close'],
    ['areaPage.onTimeRate', r.onTimeRate, 'on-time'],
    ['areaPage.satisfactionRate', r.satisfactionRate, 'satisfaction'],
  ];
  const en = lang() === 'en';
  return (
    <section class="area-part" data-testid="area-reports">
      <h3>{t('areaPage.reports')}</h3>
      <dl class="area-tiles">
        <Tile name={t('areaPage.valid')} value={r.valid === null ? null : String(r.valid)} testId="area-valid" />
        {rates.map(([key, rate, id]) => (
          <Tile key={id} name={t(key)} value={percentText(rate)} testId={`area-rate-${id}`} />
        ))}
      </dl>
      {page.categories.length > 0 ? (
        <>
          <h4>{t('areaPage.categories')}</h4>
          <ul class="area-list" data-testid="area-categories">
            {page.categories.map((c) => (
              <li key={c.code} data-code={c.code}>
                <span>{en ? c.nameEn : c.name}</span>
                <span class="muted">{t('areaPage.count', { n: c.count })}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function Tile({ name, value, testId }: { name: string; value: string | null; testId: string }) {
  return (
    <div class="area-tile" data-testid={testId}>
      <dt>{name}</dt>
      {value === null ? <dd class="area-suppressed">{t('areaPage.suppressed')}</dd> : <dd class="area-value">{value}</dd>}
    </div>
  );
}

function FlaggedPart({ areas }: { areas: FlaggedArea[] }) {
  return (
    <section class="area-part" data-testid="area-flagged">
      <h3>{t('areaPage.flagged')}</h3>
      {areas.length === 0 ? <p class="hint">{t('areaPage.flaggedNone')}</p> : null}
      <ul class="cards">
        {areas.map((a) => (
          <li key={a.id} class="card area-card" data-testid="area-flagged-item">
            <strong>{a.name}</strong>
            <span class="muted">
              {a.regionName} · {label('areaType', a.areaType)} · {label('areaState', a.state)}
              {a.level ? ` · ${label('hotspots', a.level)}` : ''}
            </span>
            <label class="area-progress">
              <span>
                {t('areaPage.progress', { done: a.progress.done, tasks: a.progress.tasks })}
                {a.progress.overdue > 0 ? <span class="overdue"> · {t('areaPage.overdue', { n: a.progress.overdue })}</span> : null}
              </span>
              <progress max={100} value={progressPercent(a.progress)} />
            </label>
            {a.deadline ? <span class="muted">{t('areaPage.deadline', { day: a.deadline })}</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

const FIGURES = [
  ['safety', 'areaPage.safety'],
  ['satisfaction', 'areaPage.satisfaction'],
  ['awareness', 'areaPage.awareness'],
  ['support', 'areaPage.support'],
] as const;

function SurveyPart({ survey }: { survey: PublishedSurvey | null }) {
  if (!survey) {
    return (
      <section class="area-part" data-testid="area-survey">
        <h3>{t('areaPage.survey')}</h3>
        <p class="hint">{t('areaPage.surveyNone')}</p>
      </section>
    );
  }
  const en = lang() === 'en';
  const answered = survey.indices.answered;
  return (
    <section class="area-part" data-testid="area-survey" data-survey={survey.surveyId}>
      <h3>{t('areaPage.survey')}</h3>
      <p class="area-survey-title">{en ? survey.titleEn : survey.title}</p>
      <p class="muted">
        {t('areaPage.surveyScope', { region: survey.regionName, from: survey.opensOn, to: survey.closesOn })}
        {answered !== null ? ` · ${t('areaPage.answered', { n: answered })}` : ''}
      </p>
      <ul class="area-figures">
        {FIGURES.map(([key, name]) => {
          const figure = survey.indices[key];
          return figure ? <FigureRow key={key} id={key} name={t(name)} figure={figure} before={survey.previous?.[key]} target={survey.target} /> : null;
        })}
      </ul>
    </section>
  );
}

interface FigureProps {
  id: string;
  name: string;
  figure: Figure;
  before: Figure | null | undefined;
  target: number;
}

function FigureRow({ id, name, figure, before, target }: FigureProps) {
  const bar = figureBar(figure, target);
  const change = changeText(figure, before);
  return (
    <li class="area-figure" data-testid={`area-figure-${id}`} data-standing={figure.standing ?? undefined}>
      <div class="area-figure-head">
        <span>{name}</span>
        {figure.value === null ? (
          <span class="area-suppressed">{t('areaPage.fewAnswers')}</span>
        ) : (
          <strong class="area-value">{oneDecimal(figure.value)}</strong>
        )}
      </div>
      {bar ? (
        <>
          <div class="area-bar" aria-hidden="true">
            <span class="area-band" style={{ left: `${bar.left}%`, width: `${bar.width}%` }} />
            <span class="area-dot" style={{ left: `${bar.value}%` }} />
            <span class="area-target" style={{ left: `${bar.target}%` }} />
          </div>
          <p class="muted">
            {t('areaPage.interval', { low: oneDecimal(figure.low ?? figure.value ?? 0), high: oneDecimal(figure.high ?? figure.value ?? 0) })} ·{' '}
            {t('areaPage.target', { target: oneDecimal(target) })}
            {figure.standing ? <span class={`area-standing area-${figure.standing}`}> · {t(`areaPage.${figure.standing}`)}</span> : null}
            {change ? ` · ${t('areaPage.change', { change })}` : ''}
          </p>
        </>
      ) : null}
    </li>
  );
}

function LiftedPart({ page }: { page: AreaPage }) {
  return (
    <section class="area-part" data-testid="area-lifted">
      <h3>{t('areaPage.lifted')}</h3>
      {page.lifted.length === 0 ? <p class="hint">{t('areaPage.liftedNone')}</p> : null}
      <ul class="area-list">
        {page.lifted.map((a) => (
          <li key={a.id} data-testid="area-lifted-item">
            <span>
              {a.name}
              <span class="muted"> · {a.regionName}</span>
            </span>
            <span class="muted">{t('areaPage.liftedOn', { day: a.liftedOn })}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
