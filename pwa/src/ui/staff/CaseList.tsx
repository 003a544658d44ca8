/** A list of case summaries (worker tasks, dispatcher queue). */
import { useEffect, useState } from 'preact/hooks';
import { cachedCategories, freshCategories } from '../../actions/local';
import { areaHash } from '../../actions/area-logic';
import { caseHash } from '../../actions/case-logic';
import type { CaseSummaryOut, CategoryOut, KeyAreaRef } from '../../api/types';
import { lang, statusLabel, t } from '../../i18n';

export function useCategoryName(): (code: string) => string {
  const [list, setList] = useState<CategoryOut[]>(cachedCategories);
  useEffect(() => void freshCategories().then(setList, () => {}), []);
  return (code) => {
    const found = list.find((c) => c.code === code);
    return found ? (lang() === 'en' ? found.nameEn : found.name) : code;
  };
}

/** The key area a case lies in: "挂牌 名称 3/5" (or "重点整治 …") coloured by level, then what is late in red. */
export function KeyAreaBadge({ area }: { area: KeyAreaRef }) {
  const { tasks, done, overdue } = area.progress;
  const label = t(area.tier === 'district' ? 'tasks.keyAreaFlagged' : 'tasks.keyAreaListed', {
    name: area.name,
    progress: tasks > 0 ? `${done}/${tasks}` : '',
  }).trim();
  const late = overdue > 0 ? t('tasks.keyAreaLate', { count: overdue }) : area.overdue ? t('tasks.keyAreaPastDeadline') : null;
  return (
    <>
      <span class={area.level ? `badge level level-${area.level}` : 'badge flagged'} data-testid="key-area" data-area-id={area.id} data-level={area.level ?? ''}>
        {label}
      </span>
      {late ? (
        <span class="overdue" data-testid="key-area-late">
          {late}
        </span>
      ) : null}
    </>
  );
}

/** 超期, 督办 and 挂牌 badges: what makes a case more urgent than its deadline alone says.
 * `withKeyArea` false leaves the key area out, for a list that draws it as a link of its own. */
export function Badges({ item, withKeyArea = true }: { item: CaseSummaryOut; withKeyArea?: boolean }) {
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
      {withKeyArea && item.keyArea ? <KeyAreaBadge area={item.keyArea} /> : null}
    </>
  );
}

/** Rows link to `#/c/{id}` (the case detail); `itemTestId` is `task-item` for workers, `case-item` for dispatchers.
 * With `areaLinks` (the console) a case's key area is a link of its own to `#/areas/{id}`, beside the row's link. */
export function CaseList(props: { items: CaseSummaryOut[]; empty: string; itemTestId?: string; highlight?: Set<number>; areaLinks?: boolean }) {
  const categoryName = useCategoryName();
  if (props.items.length === 0) return <p class="hint" data-testid="cases-empty">{props.empty}</p>;
  return (
    <ul class="cards" data-testid="case-list">
      {props.items.map((c) => (
        <li key={c.id} class={`card-row${props.highlight?.has(c.id) ? ' changed' : ''}${props.areaLinks && c.keyArea ? ' has-area' : ''}`} data-testid={props.itemTestId ?? 'case-item'} data-case-id={c.id} data-tracking-no={c.trackingNo}>
          <a class="card" href={caseHash(c.id)}>
          <span class="card-main">
            <strong>{c.trackingNo}</strong>
            <span class={`status status-${c.status}`}>{statusLabel(c.status)}</span>
            <Badges item={c} withKeyArea={!props.areaLinks} />
            <span class="muted">
              {categoryName(c.category)} · {c.region.name}
              {c.dueAt ? ` · ${t('tasks.due', { due: new Date(c.dueAt).toLocaleString() })}` : ''}
            </span>
            {c.description ? <span class="desc">{c.description}</span> : null}
          </span>
          </a>
          {props.areaLinks && c.keyArea ? (
            <a class="key-area-link" href={areaHash(c.keyArea.id)} data-testid="key-area-link" title={t('tasks.keyAreaOpen', { name: c.keyArea.name })}>
              <KeyAreaBadge area={c.keyArea} />
            </a>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
