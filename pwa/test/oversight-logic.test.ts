import { describe, expect, it } from 'vitest';
import {
  blankFinding,
  defaultDeadline,
  dueDay,
  inspectionBody,
  itemValueText,
  ledgerQuery,
  localToIso,
  manualPoints,
  moveProblem,
  movesFor,
  NO_LEDGER_FILTER,
  oversightRoute,
  oversightTab,
  pointsText,
  previousMonth,
  rankedScores,
  recentMonths,
  reportBody,
  rowsToFindings,
  unitIn,
  unitKey,
  unitOf,
} from '../src/actions/oversight-logic';
import type { ScoreOut } from '../src/api/oversight';

const NOW = new Date(2026, 10, 20, 10, 0);

describe('oversight routes', () => {
  it('names the lists and one of each, and nothing else', () => {
    expect(oversightRoute('#/inspections')).toEqual({ view: 'inspections' });
    expect(oversightRoute('#/inspections/12')).toEqual({ view: 'inspection', id: 12 });
    expect(oversightRoute('#/findings')).toEqual({ view: 'findings' });
    expect(oversightRoute('#/findings/7')).toEqual({ view: 'finding', id: 7 });
    expect(oversightRoute('#/monthly-reports')).toEqual({ view: 'monthly-reports' });
    expect(oversightRoute('#/assessment')).toEqual({ view: 'assessment' });
    expect(oversightRoute('#/assessment/3')).toEqual({ view: 'result', id: 3 });
    expect(oversightRoute('#/areas')).toBeNull();
    expect(oversightRoute('#/findings/x')).toBeNull();
    expect(oversightRoute('')).toBeNull();
  });
  it('keeps one page in its tab', () => {
    expect(oversightTab({ view: 'finding', id: 1 })).toBe('findings');
    expect(oversightTab({ view: 'inspection', id: 1 })).toBe('inspections');
    expect(oversightTab({ view: 'result', id: 1 })).toBe('assessment');
    expect(oversightTab({ view: 'monthly-reports' })).toBe('monthly-reports');
  });
});

describe('the ledger query', () => {
  it('sends only what is chosen and well formed', () => {
    expect(ledgerQuery(NO_LEDGER_FILTER)).toEqual({});
    expect(ledgerQuery({ state: 'open', overdue: true, region: ' 330106 ', departmentId: '2', inspectionId: '' }, '41')).toEqual({
      state: 'open',
      overdue: 'true',
      region: '330106',
      departmentId: '2',
      cursor: '41',
    });
    expect(ledgerQuery({ ...NO_LEDGER_FILTER, region: '33', departmentId: 'abc' })).toEqual({});
  });
});

describe('finding moves', () => {
  it('follows the ledger states', () => {
    expect(movesFor('open')).toEqual(['accept']);
    expect(movesFor('reopened')).toEqual(['accept']);
    expect(movesFor('rectifying')).toEqual(['report']);
    expect(movesFor('reported')).toEqual(['recheck']);
    expect(movesFor('rechecked')).toEqual(['close', 'reopen']);
    expect(movesFor('closed')).toEqual([]);
  });
  it('asks for evidence, notes and a later deadline where the server would', () => {
    expect(moveProblem('accept', '', 0, '', NOW)).toBeNull();
    expect(moveProblem('report', '', 2, '', NOW)).toBe('noteRequired');
    expect(moveProblem('report', '已清理', 0, '', NOW)).toBe('photosRequired');
    expect(moveProblem('report', '已清理', 1, '', NOW)).toBeNull();
    expect(moveProblem('recheck', ' ', 0, '', NOW)).toBe('noteRequired');
    expect(moveProblem('close', '', 0, '', NOW)).toBeNull();
    expect(moveProblem('reopen', '未整改到位', 0, '', NOW)).toBe('deadlineRequired');
    expect(moveProblem('reopen', '未整改到位', 0, new Date(2026, 10, 19).toISOString(), NOW)).toBe('deadlineRequired');
    expect(moveProblem('reopen', '未整改到位', 0, new Date(2026, 10, 27).toISOString(), NOW)).toBeNull();
  });
});

describe('the desk inspection form', () => {
  it('reads a unit as a region code or a department number', () => {
    expect(unitOf('330106001')).toEqual({ responsibleRegionCode: '330106001' });
    expect(unitOf(' 3 ')).toEqual({ responsibleDepartmentId: 3 });
    expect(unitOf('dept:12')).toEqual({ responsibleDepartmentId: 12 });
    expect(unitOf('城管')).toBeNull();
    expect(unitOf('')).toBeNull();
  });
  it('gives a default deadline at 18:00 some days ahead', () => {
    expect(defaultDeadline(NOW, 7)).toBe('2026-11-27T18:00');
    expect(localToIso('2026-11-27T18:00')).toBe(new Date(2026, 10, 27, 18, 0).toISOString());
    expect(localToIso('tomorrow')).toBeNull();
  });
  it('drops blank rows and turns the others into findings', () => {
    const rows = [
      { text: ' 消防通道堵塞 ', unit: '330106001', deadline: '2026-11-27T18:00', category: '' },
      blankFinding('2026-11-27T18:00'),
      { text: '占道经营', unit: '2', deadline: '2026-11-30T18:00', category: 'city_appearance' },
    ];
    expect(rowsToFindings(rows, NOW)).toEqual({
      findings: [
        { text: '消防通道堵塞', deadline: new Date(2026, 10, 27, 18).toISOString(), responsibleRegionCode: '330106001', mediaIds: [] },
        { text: '占道经营', deadline: new Date(2026, 10, 30, 18).toISOString(), responsibleDepartmentId: 2, categoryCode: 'city_appearance', mediaIds: [] },
      ],
    });
  });
  it('names each row that is not right, and refuses none at all', () => {
    const rows = [
      { text: '', unit: '330106001', deadline: '2026-11-27T18:00', category: '' },
      { text: '垃圾堆放', unit: '城管', deadline: '2026-11-19T18:00', category: '' },
    ];
    expect(rowsToFindings(rows, NOW)).toEqual({
      problems: [
        { row: 1, field: 'text', problem: 'missing' },
        { row: 2, field: 'unit', problem: 'missing' },
        { row: 2, field: 'deadline', problem: 'past' },
      ],
    });
    expect(rowsToFindings([blankFinding()], NOW)).toEqual({ problems: [{ row: 1, field: 'text', problem: 'missing' }] });
  });
  it('builds the body the API takes', () => {
    const draft = { manner: 'covert' as const, plan: 'random' as const, focus: 'special' as const, team: ' 区综治办 ', regionCode: '330106', departmentId: '', day: '2026-11-20', note: '' };
    expect(inspectionBody('c1', draft, [])).toEqual({
      clientId: 'c1',
      manner: 'covert',
      plan: 'random',
      focus: 'special',
      team: '区综治办',
      regionCode: '330106',
      day: '2026-11-20',
      mediaIds: [],
      findings: [],
    });
    expect(inspectionBody('c1', { ...draft, departmentId: '3', note: '夜查' }, [], ['m1'])).toMatchObject({ departmentId: 3, note: '夜查', mediaIds: ['m1'] });
  });
});

describe('monthly reports', () => {
  it('counts months back across a year', () => {
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(previousMonth('2026-11')).toBe('2026-10');
    expect(recentMonths(new Date(2026, 1, 3), 3)).toEqual(['2026-01', '2025-12', '2025-11']);
  });
  it('names the last day to file on time', () => {
    expect(dueDay(new Date(2026, 11, 6, 0, 0).toISOString())).toBe('2026-12-05');
    expect(dueDay(new Date(2026, 11, 5, 23, 59, 59).toISOString())).toBe('2026-12-05');
  });
  it('holds a 零报告 to nothing found, and nothing found to a 零报告', () => {
    expect(reportBody('12', '', true, ' 无 ')).toEqual({ placesVisited: 12, problemsFound: 0, zeroReport: true, note: '无' });
    expect(reportBody('12', '3', false, '')).toEqual({ placesVisited: 12, problemsFound: 3, zeroReport: false, note: '' });
    expect(reportBody('12', '3', true, '')).toEqual({ problem: 'zeroWithProblems' });
    expect(reportBody('12', '0', false, '')).toEqual({ problem: 'nothingFound' });
    expect(reportBody('', '1', false, '')).toEqual({ problem: 'places' });
    expect(reportBody('4', '-1', false, '')).toEqual({ problem: 'problems' });
  });
});

describe('assessment figures', () => {
  it('writes points without noise', () => {
    expect(pointsText(12.5)).toBe('12.5');
    expect(pointsText(8)).toBe('8');
    expect(pointsText(10 / 3)).toBe('3.33');
  });
  it('shows what a figure came from, and no data as no data', () => {
    const rate = { key: 'k', source: 'on_time_rate', weight: 20, points: 18, value: 0.9, numerator: 9, denominator: 10 };
    expect(itemValueText(rate, '无数据')).toBe('90.0% (9/10)');
    expect(itemValueText({ ...rate, value: null, noData: true, points: 0 }, '无数据')).toBe('无数据');
    expect(itemValueText({ key: 's', source: 'safety_index', weight: 10, points: 9, value: 87.25 }, '-')).toBe('87.3');
    expect(itemValueText({ key: 'a', source: 'areas_overdue', weight: 10, points: 5, value: 2 }, '-')).toBe('2');
  });
  it('keys units and gives them back as the API takes them', () => {
    expect(unitKey({ kind: 'region', code: '330106001' })).toBe('region:330106001');
    expect(unitKey({ kind: 'department', id: 3 })).toBe('department:3');
    expect(unitIn({ kind: 'region', code: '330106001', id: null })).toEqual({ kind: 'region', code: '330106001' });
    expect(unitIn({ kind: 'department', code: null, id: 3 })).toEqual({ kind: 'department', id: 3 });
  });
  it('lists regions then departments, each by rank', () => {
    const score = (kind: 'region' | 'department', name: string, rank: number): ScoreOut => ({
      unit: { kind, code: kind === 'region' ? name : null, id: kind === 'department' ? rank : null, name },
      total: 100 - rank,
      rank,
      vetoed: false,
      vetoReasons: [],
      eligible: true,
      atBottom: false,
      breakdown: [],
    });
    const got = rankedScores([score('department', 'd2', 2), score('region', 'r3', 3), score('department', 'd1', 1), score('region', 'r1', 1), score('region', 'r1b', 1)]);
    expect(got.map((s) => s.unit.name)).toEqual(['r1', 'r1b', 'r3', 'd1', 'd2']);
  });
  it('holds manual points within the weight', () => {
    expect(manualPoints('5', 10)).toBe(5);
    expect(manualPoints('10', 10)).toBe(10);
    expect(manualPoints('10.5', 10)).toBeNull();
    expect(manualPoints('-1', 10)).toBeNull();
    expect(manualPoints('', 10)).toBeNull();
  });
});
