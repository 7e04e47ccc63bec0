import { describe, expect, it } from 'vitest';
import { SIM_DEFAULTS } from '../src/constants.js';
import { generateState } from '../src/generator.js';
import { compileJql, parseJql } from '../src/jql.js';
import { compileSolrQuery, type SolrSchema } from '../src/solr-query.js';
import { ANCHOR } from './helpers.js';

describe('generator', () => {
  it('is deterministic by seed and differs across seeds', () => {
    const a = generateState({ cases: 300, seed: 7, anchor: ANCHOR });
    const b = generateState({ cases: 300, seed: 7, anchor: ANCHOR });
    const c = generateState({ cases: 300, seed: 8, anchor: ANCHOR });
    const fingerprint = (s: typeof a) =>
      JSON.stringify({
        cases: s.cases.map((x) => [x.number, x.summary, x.status, x.severity, x.created, x.account.name]),
        issues: s.issues.map((i) => [i.key, i.summary, i.status, i.assignee?.accountId, i.labels]),
        comments: s.cases.slice(0, 20).map((x) => s.caseComments(x)),
        cardComments: s
          .cards()
          .slice(0, 20)
          .map((i) => s.issueComments(i)),
        bugs: [...s.bugs.values()],
      });
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint(a)).not.toBe(fingerprint(c));
  });

  it('produces realistic proportions and relations', () => {
    const s = generateState({ cases: 2000, seed: 1, anchor: ANCHOR });
    const sum = s.summary();
    const sev = (n: number) => s.cases.filter((c) => c.severity === n).length / s.cases.length;
    expect(sev(1)).toBeLessThan(0.1);
    expect(sev(3)).toBeGreaterThan(0.45);
    expect(sum.openCases).toBeGreaterThan(200);
    expect(sum.openCasesWithoutCard).toBeGreaterThan(0);
    expect(sum.escalations).toBeGreaterThan(0);
    expect(sum.critSits).toBeGreaterThan(0);
    const week = s.cases.filter((c) => ANCHOR - c.created < 7 * 86_400_000);
    expect(week.length).toBeGreaterThan(20);
    for (const c of s.cases) {
      expect(c.number).toMatch(/^\d{8}$/);
      expect(c.lastModified).toBeGreaterThanOrEqual(c.created);
      expect(c.closed !== undefined).toBe(c.status === 'Closed');
    }
    const locales = new Set(s.cases.map((c) => c.account.locale));
    expect(locales.size).toBeGreaterThanOrEqual(8);
    // Some cards have more comments than a search result embeds.
    expect(s.cards().some((i) => s.issueCommentCount(i) > 20)).toBe(true);
    // Hostile payloads exist so the UI's escaping is exercised.
    const allComments = s.cases.flatMap((c) => s.caseComments(c).map((m) => m.commentBody));
    expect(allComments.some((t) => t.includes('<script>') || t.includes('onerror='))).toBe(true);
    expect(s.cards().every((i) => /^\d{8}: /.test(i.summary))).toBe(true);
  });

  // How long it takes is for the benchmarks (bench:sync generates 10k); here: that 100k is complete.
  it('gives few cards a case outside the case query (which the dashboard then does not store)', () => {
    const state = generateState({ cases: 10_000, seed: 7, anchor: ANCHOR });
    const cards = state.issues.filter((i) => i.role === 'card');
    const outside = cards.filter(
      (k) => !state.caseByNumber.get(k.caseNumber as string)?.tags?.includes(SIM_DEFAULTS.caseTag),
    );
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.length / cards.length).toBeLessThanOrEqual(0.02);
  });

  it('builds 100k cases with unique numbers', () => {
    const s = generateState({ cases: 100_000, seed: 3, anchor: ANCHOR });
    expect(s.cases).toHaveLength(100_000);
    expect(new Set(s.cases.map((c) => c.number)).size).toBe(100_000);
  });
});

describe('solr query subset', () => {
  type Doc = { tags: string[]; summary: string; created: number; status: string };
  const schema: SolrSchema<Doc> = {
    case_tags: { type: 'string', get: (d) => d.tags },
    case_summary: { type: 'text', get: (d) => [d.summary] },
    case_status: { type: 'string', get: (d) => [d.status] },
    case_createdDate: { type: 'date', get: (d) => d.created },
  };
  const docs: Doc[] = [
    {
      tags: ['shift_telco5g', 'cnv'],
      summary: 'Webscale PTP issue',
      created: Date.parse('2025-01-02T00:00:00Z'),
      status: 'Closed',
    },
    {
      tags: ['cnv'],
      summary: 'VM stuck',
      created: Date.parse('2024-06-01T00:00:00Z'),
      status: 'Waiting on Red Hat',
    },
    {
      tags: [],
      summary: 'Other',
      created: Date.parse('2025-03-01T00:00:00Z'),
      status: 'Waiting on Customer',
    },
  ];
  const run = (q: string) => docs.filter(compileSolrQuery(q, schema, ANCHOR)).map((d) => d.summary);

  it('handles wildcards, booleans, phrases and date ranges', () => {
    expect(run('case_tags:*shift_telco5g*')).toEqual(['Webscale PTP issue']);
    expect(run('case_summary:*webscale* OR case_tags:*cnv*')).toEqual(['Webscale PTP issue', 'VM stuck']);
    expect(run('(case_tags:cnv AND NOT case_status:Closed)')).toEqual(['VM stuck']);
    expect(run('case_status:"Waiting on Customer"')).toEqual(['Other']);
    expect(run('case_createdDate:[2025-01-01T00:00:00Z TO *]')).toEqual(['Webscale PTP issue', 'Other']);
    expect(run('case_createdDate:[* TO 2025-01-01T00:00:00Z]')).toEqual(['VM stuck']);
    expect(run('case_createdDate:[2025-01-01T00:00:00Z TO 2025-02-01T00:00:00Z]')).toEqual([
      'Webscale PTP issue',
    ]);
    expect(run('case_tags:cnv -case_status:Closed')).toEqual(['VM stuck']);
  });

  it('rejects unknown fields and bad syntax', () => {
    expect(() => run('nope:1')).toThrow(/undefined field nope/);
    expect(() => run('(case_tags:cnv')).toThrow(/SyntaxError/);
    expect(() => run('case_createdDate:[yesterday TO *]')).toThrow(/Invalid Date/);
  });
});

describe('jql subset', () => {
  const s = generateState({ cases: 200, seed: 1, anchor: ANCHOR });
  const user = s.teamUsers()[0];
  if (!user) throw new Error('no team');
  const run = (jql: string, flavor: 'cloud' | 'dc' = 'cloud') =>
    s.issues.filter(compileJql(parseJql(jql).where, { state: s, flavor, currentUser: user, now: ANCHOR }));

  it('filters by project, labels, status, sprint, assignee and dates', () => {
    const cards = run('project = KNIECO AND labels = "field"');
    expect(cards.length).toBe(s.cards().length);
    expect(run('project = 10810').length).toBe(cards.length);
    const open = run('project = KNIECO AND status not in (Done, Closed, "Won\'t Fix / Obsolete")');
    expect(open.every((i) => !['Done', 'Closed'].includes(i.status))).toBe(true);
    expect(run('sprint in openSprints() AND labels = field').length).toBeGreaterThan(0);
    expect(run(`assignee = "${user.accountId}"`).every((i) => i.assignee?.accountId === user.accountId)).toBe(
      true,
    );
    expect(run(`assignee = ${user.name}`, 'dc').length).toBeGreaterThan(0);
    expect(
      run('updated >= "2026/07/23 12:00" AND project = KNIECO').every(
        (i) => i.updated >= ANCHOR - 7 * 86_400_000,
      ),
    ).toBe(true);
    const card = s.cards()[0];
    expect(run(`summary ~ '${card?.caseNumber}'`).map((i) => i.key)).toContain(card?.key);
    expect(run('project = RHOCPPRIO AND labels = "Telco5g" AND status != "Closed"').length).toBe(
      s.summary().escalations,
    );
  });

  it('rejects what real JQL rejects', () => {
    expect(() => run('project = NOPE')).toThrow(/does not exist for the field 'project'/);
    expect(() => run('foo = bar')).toThrow(/Field 'foo' does not exist/);
    expect(() => run('updated >= "2025-01-01 10:00:00"')).toThrow(/is invalid/);
    expect(() => run('summary = "x"')).toThrow(/not supported/);
    expect(() => run(`assignee = ${user.name}`, 'cloud')).toThrow(/does not exist/);
  });
});
