import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { createBugzillaClient } from '../../src/sources/bugzilla.js';
import { adfToText, textToAdf } from '../../src/sources/jira/adf.js';
import { extractCaseNumbers, parseCard, parseSprintRefs } from '../../src/sources/jira/schemas.js';
import { parseSeverity, portalCaseDetailSchema, portalCaseSchema } from '../../src/sources/portal/schemas.js';
import { parseEach, parseTimestamp } from '../../src/sources/validation.js';
import { json, testConfig } from './support.js';

const baseDoc = {
  case_number: '04012345',
  case_account_name: 'Example Telco Inc',
  case_summary: 'PTP sync lost after upgrade',
  case_status: 'Waiting on Red Hat',
  case_owner: 'Jane Engineer',
  case_severity: '2 (High)',
  case_createdDate: '2025-03-13T13:25:21Z',
  case_lastModifiedDate: '2025-04-25T11:57:07Z',
  case_description: 'Full problem description',
  case_product: ['OpenShift Container Platform'],
  case_version: '4.18',
  case_tags: ['shift_telco5g;shift_SR-IOV'],
  case_bugzillaNumber: '2212345',
};

describe('portal records', () => {
  it('normalizes a search doc with the documented quirks', () => {
    const { items, rejected } = parseEach([baseDoc], portalCaseSchema, 'portal.case');
    expect(rejected).toEqual([]);
    expect(items[0]).toMatchObject({
      caseNumber: '04012345',
      severity: 2,
      severityLabel: 'High',
      product: 'OpenShift Container Platform',
      productVersion: '4.18',
      tags: ['shift_telco5g', 'shift_SR-IOV'],
      bugzillaNumber: '2212345',
      createdAt: new Date('2025-03-13T13:25:21Z'),
      raw: baseDoc,
    });
    expect(items[0]?.closedAt).toBeUndefined();
  });

  it('accepts string-or-list text fields and absent optional keys', () => {
    const { case_tags: _tags, case_bugzillaNumber: _bz, ...rest } = baseDoc;
    const doc = { ...rest, case_summary: ['first', 'second'], case_product: 'RHEL', case_closedDate: null };
    const { items } = parseEach([doc], portalCaseSchema, 'portal.case');
    expect(items[0]).toMatchObject({ summary: 'first\nsecond', product: 'RHEL', tags: [] });
    expect(items[0]).not.toHaveProperty('bugzillaNumber');
  });

  it('rejects bad records with reasons and keeps the rest of the batch', () => {
    const bad = [
      { ...baseDoc, case_number: '0401234X' },
      { ...baseDoc, case_severity: 'Sev 9' },
      { ...baseDoc, case_createdDate: 'yesterday' },
      'not even an object',
    ];
    const { items, rejected } = parseEach([...bad, baseDoc], portalCaseSchema, 'portal.case');
    expect(items).toHaveLength(1);
    expect(rejected.map((r) => r.reason)).toEqual([
      'case_number: case number must be digits',
      'case_severity: unknown severity "Sev 9"',
      'case_createdDate: not an ISO-8601 timestamp: "yesterday"',
      expect.stringContaining('(record)'),
    ]);
    expect(rejected[1]).toMatchObject({ source: 'portal.case', externalId: '04012345', payload: bad[1] });
  });

  it('parses severities in every documented form', () => {
    expect(parseSeverity('1 (Urgent)')).toEqual({ severity: 1, severityLabel: 'Urgent' });
    expect(parseSeverity('Low')).toEqual({ severity: 4, severityLabel: 'Low' });
    expect(parseSeverity('3')).toEqual({ severity: 3, severityLabel: 'Normal' });
    expect(parseSeverity('2 (Low)')).toBeUndefined();
    expect(parseSeverity('')).toBeUndefined();
  });

  it('reads relief/resolved times as ISO strings or epoch milliseconds', () => {
    const detail = portalCaseDetailSchema.parse({
      caseNumber: '04012345',
      reliefAt: 1_745_000_000_000,
      resolvedAt: '2025-04-25T11:55:49Z',
    });
    expect(detail.reliefAt).toEqual(new Date(1_745_000_000_000));
    expect(detail.resolvedAt).toEqual(new Date('2025-04-25T11:55:49Z'));
  });

  it('parses the timestamp forms of every upstream', () => {
    expect(parseTimestamp('2025-04-25T11:57:07.000+0000')).toEqual(new Date('2025-04-25T11:57:07Z'));
    expect(parseTimestamp('2025-04-25T13:57:07+02:00')).toEqual(new Date('2025-04-25T11:57:07Z'));
    expect(parseTimestamp('2025-04-25')).toEqual(new Date('2025-04-25T00:00:00Z'));
    expect(parseTimestamp('20250425T11:57:07')).toBeUndefined();
  });
});

describe('jira records', () => {
  const config = testConfig({
    JIRA_URL: 'https://jira.test',
    JIRA_TOKEN: 't',
    JIRA_USER: 'u@example.com',
    JIRA_PROJECT: 'KNIECO',
  });
  const issue = (status: string) => ({
    id: '15012345',
    key: 'KNIECO-1234',
    fields: {
      summary: '04012345: PTP sync lost after upgrade',
      status: { name: status },
      priority: { name: 'Major' },
      assignee: { accountId: 'acc-1', displayName: 'Jane Doe', emailAddress: 'jdoe@example.com' },
      labels: ['field'],
      created: '2025-03-13T13:25:21.000+0000',
      updated: '2025-04-25T11:57:07.000+0000',
      comment: {
        total: 1,
        comments: [{ id: '1', body: 'looks good', created: '2025-03-14T09:00:00.000+0000' }],
      },
      customfield_10466: [{ accountId: 'acc-2', displayName: 'Helper' }, { nonsense: true }],
      customfield_10020: [{ id: 5678, name: 'T5GFE Sprint 188', state: 'active' }],
    },
  });

  it('maps the status through config and keeps complete embedded comments', () => {
    const { card, note, rejected } = parseCard(issue('In Progress'), config.jira);
    expect(rejected).toEqual([]);
    expect(note).toBeUndefined();
    expect(card).toMatchObject({
      key: 'KNIECO-1234',
      caseNumber: '04012345',
      internalStatus: 'Eng Working',
      assignee: { id: 'acc-1', email: 'jdoe@example.com' },
      contributors: [{ id: 'acc-2', displayName: 'Helper' }],
      sprints: [{ id: 5678, name: 'T5GFE Sprint 188', state: 'active' }],
      commentsComplete: true,
    });
  });

  it('keeps a card with an unknown status as Unknown, with a note', () => {
    const { card, note } = parseCard(issue('Pondering'), config.jira);
    expect(card?.internalStatus).toBe('Unknown');
    expect(card?.status).toBe('Pondering');
    expect(note).toMatchObject({
      source: 'jira.card',
      externalId: 'KNIECO-1234',
      reason: 'unknown JIRA status Pondering',
    });
  });

  it('reads DC sprint strings and case numbers in rendered link fields', () => {
    expect(
      parseSprintRefs([
        'com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=42,rapidViewId=1,state=ACTIVE,name=S 7]',
      ]),
    ).toEqual([{ id: 42, name: 'S 7', state: 'ACTIVE' }]);
    expect(extractCaseNumbers('<p>04012345, <a href="x/04012346">x</a></p>')).toEqual([
      '04012345',
      '04012346',
    ]);
    expect(extractCaseNumbers(['04012345'])).toEqual(['04012345']);
  });
});

describe('ADF', () => {
  it('turns a document into plain text with links, mentions and lists', () => {
    const doc = {
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'See ' },
            {
              type: 'text',
              text: 'the KB',
              marks: [{ type: 'link', attrs: { href: 'https://kb.example/1' } }],
            },
            { type: 'hardBreak' },
            { type: 'mention', attrs: { id: 'acc-1', text: '@Jane' } },
            { type: 'text', text: ' <script>alert(1)</script>' },
          ],
        },
        {
          type: 'bulletList',
          content: [
            { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'one' }] }] },
            { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'two' }] }] },
          ],
        },
        { type: 'someFutureNode', content: [{ type: 'text', text: 'kept' }] },
      ],
    };
    expect(adfToText(doc)).toBe(
      'See the KB (https://kb.example/1)\n@Jane <script>alert(1)</script>\n\n- one\n- two\n\nkept',
    );
  });

  it('passes wiki strings through and survives junk', () => {
    expect(adfToText('h1. wiki *markup*')).toBe('h1. wiki *markup*');
    expect(adfToText(null)).toBe('');
    expect(adfToText({ type: 'doc', content: 'nope' })).toBe('');
  });

  it('round-trips paragraphs and line breaks', () => {
    const text = 'first line\nsecond line\n\nnext paragraph';
    expect(adfToText(textToAdf(text))).toBe(text);
  });
});

describe('bugzilla records', () => {
  it('marks ids missing from a batch as unavailable, strips "---" and rejects bad bugs', async () => {
    const requested: string[] = [];
    const fetch = (async (url: URL) => {
      requested.push(url.searchParams.get('id') ?? '');
      return json({
        bugs: [
          {
            id: 1,
            summary: 'a',
            status: 'ON_QA',
            component: ['Networking'],
            target_release: ['---'],
            last_change_time: '2025-04-10T00:01:51Z',
            external_bugs: [{ type: { type: 'SFDC' }, ext_bz_bug_id: '04012345' }],
          },
          { id: 2, status: 'NEW', last_change_time: 'garbage' },
        ],
        faults: [],
      });
    }) as unknown as typeof globalThis.fetch;
    const config = testConfig({
      BUGZILLA_URL: 'http://bz.test',
      BUGZILLA_API_KEY: 'k',
      BUGZILLA_BATCH_SIZE: '3',
    });
    const client = createBugzillaClient(config, { logger: silentLogger, fetch });
    const result = await client.getBugs([1, 2, 3, '1']);
    expect(requested).toEqual(['1,2,3']);
    expect(result.items).toEqual([
      expect.objectContaining({
        unavailable: false,
        id: 1,
        targetRelease: [],
        externalCaseNumbers: ['04012345'],
      }),
      { unavailable: true, id: 3, reason: expect.stringContaining('not returned') },
    ]);
    expect(result.rejected).toMatchObject([{ source: 'bugzilla.bug', externalId: '2' }]);
  });
});
