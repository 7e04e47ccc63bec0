import { describe, expect, it } from 'vitest';
import type { TeamMember } from '../../src/config/config.js';
import {
  accountMatch,
  assignCases,
  loadByMember,
} from '../../src/sync/upstream-writes/card-creation/assign.js';

// Assignment is pure: account affinity first, then the least-loaded active engineer (team order
// breaks ties), never a crash on an empty pool (the original's ZeroDivisionError).

const member = (name: string, accounts: string[] = [], active = true): TeamMember => ({
  name,
  jira_user: `${name.toLowerCase()}@example.com`,
  jira_account_id: `acc-${name}`,
  accounts,
  active,
  notifieduser: true,
});
const cases = (...accounts: string[]) =>
  accounts.map((account, i) => ({ caseNumber: `0400000${i}`, account }));
const names = (m: Map<string, { member: TeamMember | undefined }>) =>
  [...m.values()].map((a) => a.member?.name);

describe('card assignment', () => {
  const ana = member('Ana', ['Acme']);
  const bo = member('Bo', ['Globex']);
  const cy = member('Cy');

  it('matches the account case-insensitively as a substring, first member in team order', () => {
    expect(accountMatch([ana, bo], 'ACME Telecom GmbH')?.name).toBe('Ana');
    expect(accountMatch([member('X', ['acme']), ana], 'Acme')?.name).toBe('X');
    expect(accountMatch([ana, bo], 'Initech')).toBeUndefined();
  });

  it('gives one engineer every case of their accounts, and the rest to the others', () => {
    const m = assignCases(cases('Acme 1', 'Acme 2', 'Initech', 'Umbrella'), [ana, bo, cy]);
    expect(names(m)).toEqual(['Ana', 'Ana', 'Bo', 'Cy']);
    expect([...m.values()].map((a) => a.reason)).toEqual(['account', 'account', 'rotation', 'rotation']);
  });

  it('rotates fairly by open cards: the least loaded first, ties in team order', () => {
    const load = new Map([
      ['Ana', 5],
      ['Bo', 1],
      ['Cy', 3],
    ]);
    const m = assignCases(cases('a', 'b', 'c', 'd'), [ana, bo, cy], load);
    // Bo 1 → 2 → 3; at 3 Bo ties Cy and team order picks Bo (4); then Cy is the least loaded.
    expect(names(m)).toEqual(['Bo', 'Bo', 'Bo', 'Cy']);
    const even = assignCases(cases('a', 'b', 'c', 'd', 'e', 'f'), [ana, bo, cy]);
    expect(names(even)).toEqual(['Ana', 'Bo', 'Cy', 'Ana', 'Bo', 'Cy']);
  });

  it('skips inactive engineers', () => {
    const m = assignCases(cases('Acme', 'x'), [member('Ana', ['Acme'], false), bo]);
    expect(names(m)).toEqual(['Bo', 'Bo']);
  });

  it('with every active engineer taken by account matches, the rest go to the whole team (no crash)', () => {
    const m = assignCases(cases('Acme', 'Globex', 'Initech', 'Umbrella'), [ana, bo]);
    expect(names(m)).toEqual(['Ana', 'Bo', 'Ana', 'Bo']);
  });

  it('with no team, or nobody active, cases are unassigned', () => {
    expect([...assignCases(cases('a', 'b'), []).values()]).toEqual([
      { member: undefined, reason: 'unassigned' },
      { member: undefined, reason: 'unassigned' },
    ]);
    expect(names(assignCases(cases('Acme'), [member('Ana', ['Acme'], false)]))).toEqual([undefined]);
  });

  it('counts stored open cards per member by account id, user name, e-mail or display name', () => {
    const load = loadByMember(
      [ana, bo, cy],
      [
        { accountId: 'acc-Ana', userName: null, email: null, displayName: 'Whatever', open: 2 },
        { accountId: null, userName: null, email: 'BO@example.com', displayName: null, open: 3 },
        { accountId: null, userName: null, email: null, displayName: 'Cy', open: 1 },
        { accountId: 'someone-else', userName: null, email: null, displayName: 'Zed', open: 9 },
      ],
    );
    expect(Object.fromEntries(load)).toEqual({ Ana: 2, Bo: 3, Cy: 1 });
  });
});
