/** 指数: the survey's figures by region down the tree, against the target and the previous survey. */
import { useEffect, useState } from 'preact/hooks';
import { figuresPresent } from '../../../actions/survey-logic';
import { ApiError } from '../../../api/http';
import { surveyIndices, type SurveyIndices } from '../../../api/survey-admin';
import { t, type MessageKey } from '../../../i18n';
import { label, Refusal } from './AreaParts';
import { FigureCell } from './SurveysParts';

export function IndicesTable(props: { token: string; surveyId: number; version: number; signOut: () => void }) {
  const [data, setData] = useState<SurveyIndices | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let gone = false;
    setError(null);
    surveyIndices(props.token, props.surveyId).then(
      (got) => !gone && setData(got),
      (e: unknown) => (e instanceof ApiError && e.status === 401 ? props.signOut() : !gone && setError(e)),
    );
    return () => {
      gone = true;
    };
  }, [props.token, props.surveyId, props.version]);
  if (error) return <Refusal error={error} testId="indices-problem" />;
  if (!data) return <p class="hint">{t('common.loading')}</p>;
  const names = figuresPresent(data.regions);
  return (
    <section data-testid="survey-indices" data-target={data.target}>
      <h3>{t('surveys.indices')}</h3>
      <p class="muted" data-testid="indices-target">
        {t('surveys.targetLine', { target: data.target })}
        {data.previousSurveyId !== null ? ` · ${t('surveys.against', { title: data.previousTitle ?? `#${data.previousSurveyId}` })}` : ` · ${t('surveys.noPrevious')}`}
      </p>
      <div class="table-wrap">
        <table class="dense indices-table" data-testid="indices-table">
          <thead>
            <tr>
              <th scope="col">{t('surveys.region')}</th>
              <th scope="col">{t('surveys.answered')}</th>
              {names.map((n) => (
                <th scope="col" key={n}>
                  {t(`surveys.figure.${n}` as MessageKey)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.regions.map((r) => (
              <tr key={r.code} data-testid="indices-row" data-code={r.code} data-depth={r.depth} data-answered={r.indices.answered ?? ''}>
                <th scope="row" class={`depth-${Math.min(r.depth, 6)}`}>
                  {r.name} <span class="muted">{label('surveys.level', r.level)}</span>
                </th>
                <td>{r.indices.answered ?? '—'}</td>
                {names.map((n) => (
                  <FigureCell key={n} name={n} figure={r.indices[n]} previous={r.previous?.[n]} target={data.target} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="hint">{t('surveys.indicesNote')}</p>
    </section>
  );
}
