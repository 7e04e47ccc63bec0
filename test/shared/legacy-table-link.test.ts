import { describe, expect, it } from 'vitest';
import { translateLegacyTableLink } from '../../src/shared/legacy-table-link.js';

// The original dashboard's table links (DataTables deepLink: searchPanes.preSelect, search.search,
// order, displayStart; columns by index) in today's query grammar, and what is left out.

const translate = (qs: string) => {
  const t = translateLegacyTableLink(new URLSearchParams(qs));
  return t && { query: decodeURIComponent(t.params.toString()), untranslated: t.untranslated };
};

describe('the original table links', () => {
  it('leaves a link of today alone', () => {
    expect(translate('severity=High&sort=account:asc&q=ptp')).toBeNull();
    expect(translate('')).toBeNull();
  });

  it("translates the stats page's severity links exactly", () => {
    const link =
      'order=[[2,"desc"],[3,"desc"],[4,"desc"]]&searchPanes.preSelect=[{"column":2,"rows":["High"]}]';
    expect(translate(link)).toEqual({
      query: 'sort=severity:desc,prioList:desc,critSit:desc&severity=High',
      untranslated: [],
    });
  });

  it('translates every pane column to its facet, keeping the link’s other parameters', () => {
    const panes = [
      { column: 2, rows: ['Urgent', '2 (High)'] },
      { column: 3, rows: ['Yes'] },
      { column: 4, rows: ['No'] },
      { column: 6, rows: ['OpenShift Container Platform'] },
      { column: 7, rows: ['Acme Telco', 'Globex'] },
      { column: 8, rows: ['Waiting on Red Hat'] },
      { column: 9, rows: ['Debugging'] },
      { column: 10, rows: ['Jane Doe Contributor(s): Max Roe', 'None'] },
    ];
    const t = translateLegacyTableLink(
      new URLSearchParams({ limit: '25', 'searchPanes.preSelect': JSON.stringify(panes) }),
    )!;
    expect(t.untranslated).toEqual([]);
    expect(t.params.get('limit')).toBe('25');
    expect(t.params.getAll('severity')).toEqual(['Urgent', 'High']);
    expect(t.params.getAll('prioList')).toEqual(['yes']);
    expect(t.params.getAll('critSit')).toEqual(['no']);
    expect(t.params.getAll('product')).toEqual(['OpenShift Container Platform']);
    expect(t.params.getAll('account')).toEqual(['Acme Telco', 'Globex']);
    expect(t.params.getAll('caseStatus')).toEqual(['Waiting on Red Hat']);
    expect(t.params.getAll('internalStatus')).toEqual(['Debugging']);
    expect(t.params.getAll('assignee')).toEqual(['Jane Doe', '']);
  });

  it('keeps the meaning of the custom panes and of the prio-list "No" option', () => {
    const panes = [
      { column: 3, rows: ['No'] },
      { column: 16, rows: ['Cases on Prio-list or Crit Sit', 'Cases on Daily Telco List'] },
      { column: 15, rows: ['True'] },
    ];
    const t = translateLegacyTableLink(
      new URLSearchParams({ 'searchPanes.preSelect': JSON.stringify(panes) }),
    )!;
    // The original's "No" held the "Potentially" rows too.
    expect(t.params.getAll('prioList')).toEqual(['no', 'potentially']);
    expect(t.params.getAll('escalated')).toEqual(['yes']);
    expect(t.params.getAll('label')).toEqual(['Daily Telco']);
    expect(t.untranslated).toEqual([]);
  });

  it('translates the text search and the first row shown into a page', () => {
    expect(translate('search.search=ptp%20sync&displayStart=100')).toEqual({
      query: 'q=ptp+sync&offset=100',
      untranslated: [],
    });
    // Row 60 lies on the second page of 50, or the sixth of 10.
    expect(translate('displayStart=60')!.query).toBe('offset=50');
    expect(translate('displayStart=60&limit=10')!.query).toBe('limit=10&offset=60');
    expect(translate('displayStart=0')!.query).toBe('');
    expect(translate('search.search=')!.query).toBe('');
  });

  it('names what has no counterpart today', () => {
    const t = translate(
      'order=[[0,"asc"],[15,"desc"],[13,"desc"],[99,"asc"],[5,"sideways"]]' +
        '&searchPanes.preSelect=[{"column":2,"rows":["Critical"]},{"column":15,"rows":["False"]},{"column":5,"rows":["x"]}]' +
        '&displayStart=ten&search.regex=true',
    );
    expect(t).toEqual({
      query: 'sort=daysOpen:desc',
      untranslated: [
        'sort by the expand column',
        'sort by Daily Telco List',
        'sort by column 99',
        'sort by Summary',
        'Severity = “Critical”',
        'Daily Telco List = “False”',
        'Summary = “x”',
        'start at row “ten”',
        'the setting search.regex',
      ],
    });
  });

  it('names a value that is not the JSON the plugin wrote', () => {
    expect(translate('searchPanes.preSelect=severity-high&order=desc')).toEqual({
      query: '',
      untranslated: ['the filter “severity-high”', 'the sort “desc”'],
    });
  });
});
