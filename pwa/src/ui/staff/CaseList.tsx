/** A list of case summaries (worker tasks, dispatcher queue). */
import { useEffect, useState } from 'preact/hooks';
import { cachedCategories, freshCategories } from '../../actions/local';
import { caseHash } from '../../actions/case-logic';
import type { CaseSummaryOut, CategoryOut } from '../../api/types';
import { lang, statusLabel, t } from '../../i18n';

export function useCategoryName(): (code: string) => string {
  const [list, setList] = useState<CategoryOut[]>(cachedCategories);
  useEffect(() => void freshCategories().then(setList, () => {}), []);
  return (code) => {
    const found = list.find((c) => c.code === code);
    return found ? (lang() === 'en' ? found.nameEn : found.name) : code;
  };
}

/** 超期, 督办 and 挂牌 badges: what makes a case more urgent than its deadline alone says. */
export function Badges({ item }: { item: CaseSummaryOut }) {
  return (
    <>
      {item.overdue ? (
        <span class="overdue" data-testid="overdue">
          {t('tasks.overdue')}
        </span>
      ) : null}
      {item.supervised ? (
        <span class="badge supervised" data-testid="supervised">
          {t('tasks.supervised')}
        </span>
      ) : null}
      {item.flag ? (
        <span class="badge flagged" data-testid="flagged" title={item.flag.reason}>
          {t('tasks.flagged', { region: item.flag.regionName })}
        </span>
      ) : null}
    </>
  );
}

/** Rows link to `#/c/{id}` (the case detail); `itemTestId` is `task-item` for workers, `case-item` for dispatchers. */
export function CaseList(props: { items: CaseSummaryOut[]; empty: string; itemTestId?: string; highlight?: Set<number> }) {
  const categoryName = useCategoryName();
  if (props.items.length === 0) return <p class="hint" data-testid="cases-empty">{props.empty}</p>;
  return (
    <ul class="cards" data-testid="case-list">
      {props.items.map((c) => (
        <li key={c.id} class={props.highlight?.has(c.id) ? 'card-row changed' : 'card-row'} data-testid={props.itemTestId ?? 'case-item'} data-case-id={c.id} data-tracking-no={c.trackingNo}>
          <a class="card" href={caseHash(c.id)}>
          <span class="card-main">
            <strong>{c.trackingNo}</strong>
            <span class={`status status-${c.status}`}>{statusLabel(c.status)}</span>
            <Badges item={c} />
            <span class="muted">
              {categoryName(c.category)} · {c.region.name}
              {c.dueAt ? ` · ${t('tasks.due', { due: new Date(c.dueAt).toLocaleString() })}` : ''}
            </span>
            {c.description ? <span class="desc">{c.description}</span> : null}
          </span>
          </a>
        </li>
      ))}
    </ul>
  );
}
