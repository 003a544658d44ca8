import { describe, expect, it } from 'vitest';
import {
  blankRow,
  change,
  changeText,
  coveringSurvey,
  entryQuestions,
  figureText,
  figuresPresent,
  quarterEnd,
  rowsToEntries,
  sameReportAsked,
  startedQuarters,
  surveyRoute,
  type EntryRow,
} from '../src/actions/survey-logic';
import type { Figure, Indices } from '../src/api/survey-admin';
import type { SurveyQuestion } from '../src/api/surveys';

const fig = (value: number | null, low: number | null = null, high: number | null = null, n: number | null = 10): Figure => ({
  n,
  value,
  low,
  high,
  standing: null,
});

const QUESTIONS: SurveyQuestion[] = [
  { key: 'day_out', kind: 'scale5', zh: '白天', en: 'Day', options: [], standard: 'safety', required: true },
  { key: 'night_out', kind: 'scale10', zh: '夜间', en: 'Night', options: [], standard: 'safety', required: false },
  {
    key: 'satisfaction',
    kind: 'single',
    zh: '满意',
    en: 'Satisfied',
    options: [
      { key: 'satisfied', zh: '满意', en: 'Satisfied' },
      { key: 'dissatisfied', zh: '不满意', en: 'Dissatisfied' },
    ],
    standard: 'satisfaction',
    required: true,
  },
  { key: 'worries', kind: 'multiple', zh: '担心', en: 'Worries', options: [{ key: 'theft', zh: '盗窃', en: 'Theft' }], standard: null, required: false },
  { key: 'remark', kind: 'text', zh: '意见', en: 'Remark', options: [], standard: null, required: false },
];

const row = (answers: EntryRow['answers'], group: EntryRow['group'] = ''): EntryRow => ({ group, answers });

describe('survey routes', () => {
  it('names the list, one survey and publication, and nothing else', () => {
    expect(surveyRoute('#/surveys')).toEqual({ view: 'surveys' });
    expect(surveyRoute('#/surveys/42')).toEqual({ view: 'survey', id: 42 });
    expect(surveyRoute('#/public-reports')).toEqual({ view: 'public-reports' });
    expect(surveyRoute('#/surveys/x')).toBeNull();
    expect(surveyRoute('#/areas')).toBeNull();
  });
});

describe('figures', () => {
  it('reads value and interval to one decimal, a dash when withheld', () => {
    expect(figureText(fig(82.46, 78.14, 86.9))).toBe('82.5 [78.1, 86.9]');
    expect(figureText(fig(null, null, null, 3))).toBe('—');
    expect(figureText(null)).toBe('—');
  });
  it('changes against the previous survey only when both are shown', () => {
    expect(change(fig(90), fig(87.25))).toBe(2.8);
    expect(change(fig(80), fig(null))).toBeNull();
    expect(change(fig(80), undefined)).toBeNull();
    expect(changeText(2.8)).toBe('+2.8');
    expect(changeText(-1.5)).toBe('−1.5');
    expect(changeText(0)).toBe('±0.0');
    expect(changeText(null)).toBe('');
  });
  it('lists only the figures some region has', () => {
    const indices: Indices = { answered: 6, safety: fig(80), satisfaction: null, awareness: fig(50), support: null };
    expect(figuresPresent([{ indices }])).toEqual(['safety', 'awareness']);
  });
});

describe('quarters', () => {
  it('ends a quarter on its last day', () => {
    expect(quarterEnd(new Date(2026, 1, 10))).toBe('2026-03-31');
    expect(quarterEnd(new Date(2026, 11, 3))).toBe('2026-12-31');
  });
  it('offers this quarter and those before it, across a year', () => {
    expect(startedQuarters(new Date(2026, 4, 1), 3)).toEqual([
      { year: 2026, quarter: 2 },
      { year: 2026, quarter: 1 },
      { year: 2025, quarter: 4 },
    ]);
  });
});

describe('batch entry rows', () => {
  const asked = entryQuestions(QUESTIONS);
  it('asks the standard and required items, no texts', () => {
    expect(asked.map((q) => q.key)).toEqual(['day_out', 'night_out', 'satisfaction']);
  });
  it('turns typed rows into answers and drops blank rows', () => {
    const got = rowsToEntries('visit', [row({ day_out: '4', night_out: ' 10 ', satisfaction: 'satisfied' }), blankRow(), row({ day_out: '1', satisfaction: 'dissatisfied' })], asked);
    expect(got).toEqual({
      entries: [{ answers: { day_out: 4, night_out: 10, satisfaction: 'satisfied' } }, { answers: { day_out: 1, satisfaction: 'dissatisfied' } }],
    });
  });
  it('keeps multiple choices as lists', () => {
    const got = rowsToEntries('phone', [row({ day_out: '3', satisfaction: 'satisfied', worries: ['theft'] })], entryQuestions(QUESTIONS.map((q) => (q.key === 'worries' ? { ...q, required: true } : q))));
    expect(got).toEqual({ entries: [{ answers: { day_out: 3, satisfaction: 'satisfied', worries: ['theft'] } }] });
  });
  it('names the rows with a missing required item or a score out of range', () => {
    const got = rowsToEntries('visit', [row({ day_out: '6', satisfaction: 'satisfied' }), row({ night_out: '5' })], asked);
    expect(got).toEqual({
      problems: [
        { row: 1, key: 'day_out', problem: 'range' },
        { row: 2, key: 'day_out', problem: 'missing' },
        { row: 2, key: 'satisfaction', problem: 'missing' },
      ],
    });
  });
  it('wants the group of every speaker at a forum', () => {
    expect(rowsToEntries('forum', [row({ day_out: '5', satisfaction: 'satisfied' })], asked)).toEqual({ problems: [{ row: 1, key: 'group', problem: 'group' }] });
    expect(rowsToEntries('forum', [row({ day_out: '5', satisfaction: 'satisfied' }, 'victim')], asked)).toEqual({
      entries: [{ answers: { day_out: 5, satisfaction: 'satisfied' }, group: 'victim' }],
    });
  });
});

describe('the survey a report offers first', () => {
  const tree: Record<string, string | null> = { '330106': null, '330106002': '330106', '330106003': '330106' };
  const parentOf = (code: string) => tree[code];
  const surveys = [
    { id: 1, regionCode: '330106003' },
    { id: 2, regionCode: '330106' },
    { id: 3, regionCode: '330106002' },
  ];

  it('is the region\'s own survey, else the nearest ancestor\'s', () => {
    expect(coveringSurvey(surveys, '330106002', parentOf)?.id).toBe(3);
    expect(coveringSurvey(surveys.slice(0, 2), '330106002', parentOf)?.id).toBe(2);
  });

  it('is none when only other regions\' surveys are published', () => {
    expect(coveringSurvey([surveys[0]!], '330106002', parentOf)).toBeNull();
    expect(coveringSurvey([surveys[0]!], '330106', parentOf)).toBeNull();
    expect(coveringSurvey(surveys, '', parentOf)).toBeNull();
  });
});

describe('a preview stands for the form it was asked for', () => {
  const asked = { regionCode: '330106002', year: 2026, quarter: 4, sections: ['reports', 'survey'] as ('reports' | 'survey')[], surveyId: 7 };

  it('matches the same request only', () => {
    expect(sameReportAsked(asked, { ...asked, sections: [...asked.sections] })).toBe(true);
    expect(sameReportAsked(asked, { ...asked, quarter: 3 })).toBe(false);
    expect(sameReportAsked(asked, { ...asked, regionCode: '330106' })).toBe(false);
    expect(sameReportAsked(asked, { ...asked, sections: ['reports'] })).toBe(false);
    const { surveyId: _, ...withoutSurvey } = asked;
    expect(sameReportAsked(asked, withoutSurvey)).toBe(false);
  });
});
