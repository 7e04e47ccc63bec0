import { describe, expect, it } from 'vitest';
import { apiParams, nextSort, readState, toggleFacet, withParam } from '../../src/ui/table-state.js';

// The table's URL state: what a click does to the query string that the page and the API share.

describe('table URL state', () => {
  it('reads facets, search, sort and paging from the query string, with the defaults', () => {
    const s = readState(
      new URLSearchParams('severity=High&severity=Urgent&q=ptp&sort=caseNumber:asc&limit=10&offset=20'),
    );
    expect(s.selected('severity')).toEqual(['High', 'Urgent']);
    expect(s.q).toBe('ptp');
    expect(s.sort).toEqual([{ key: 'caseNumber', dir: 'asc' }]);
    expect([s.limit, s.offset]).toEqual([10, 20]);
    const d = readState(new URLSearchParams('limit=-3&offset=x'));
    expect(d.sort.map((t) => `${t.key}:${t.dir}`)).toEqual([
      'severity:desc',
      'prioList:desc',
      'critSit:desc',
    ]);
    expect([d.limit, d.offset]).toEqual([50, 0]);
    expect(readState(new URLSearchParams('limit=100000')).limit).toBe(500);
  });

  it('toggles a facet value and goes back to the first page', () => {
    const start = new URLSearchParams('severity=High&offset=50');
    const added = toggleFacet(start, 'severity', 'Urgent');
    expect(added.getAll('severity')).toEqual(['High', 'Urgent']);
    expect(added.has('offset')).toBe(false);
    expect(toggleFacet(added, 'severity', 'High').getAll('severity')).toEqual(['Urgent']);
    expect(withParam(start, 'offset', '100', { keepOffset: true }).get('offset')).toBe('100');
  });

  it('sorts by one column on click and adds columns on shift+click', () => {
    const base = [{ key: 'severity', dir: 'desc' as const }];
    expect(nextSort(base, 'account', false, 'asc')).toEqual([{ key: 'account', dir: 'asc' }]);
    expect(nextSort(base, 'severity', false, 'desc')).toEqual([{ key: 'severity', dir: 'asc' }]);
    const multi = nextSort(base, 'account', true, 'asc');
    expect(multi).toEqual([
      { key: 'severity', dir: 'desc' },
      { key: 'account', dir: 'asc' },
    ]);
    expect(nextSort(multi, 'account', true, 'asc')[1]).toEqual({ key: 'account', dir: 'desc' });
  });

  it('lets the page fixed filter override the URL', () => {
    const p = apiParams(new URLSearchParams('account=Other&severity=High'), {
      account: ['Acme Telco'],
      recent: 'true',
    });
    expect(p.getAll('account')).toEqual(['Acme Telco']);
    expect(p.get('recent')).toBe('true');
    expect(p.getAll('severity')).toEqual(['High']);
  });
});
