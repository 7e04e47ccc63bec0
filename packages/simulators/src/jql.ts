/**
 * A JQL subset: clauses joined by AND / OR / NOT with parentheses, over project, labels, status,
 * statusCategory, key/issuekey, id, summary (~), sprint (ids, names, openSprints() …), issuetype,
 * assignee/reporter (currentUser()), priority, component and created/updated/resolutiondate
 * (minute-precision dates, relative periods, now()/startOfDay()), plus ORDER BY.
 * Anything else is rejected with Jira's own kind of 400 message.
 */
import type { JiraFlavor } from './constants.js';
import { STATUSES, statusByName } from './jira-workflow.js';
import type { SimIssue, SimUser } from './model.js';
import type { SimulatorState } from './state.js';

/** A query JIRA refuses with 400; `messages` are its `errorMessages` (one per problem). */
export class JqlError extends Error {
  readonly messages: string[];
  constructor(message: string, messages: string[] = [message]) {
    super(message);
    this.messages = messages;
  }
}

/**
 * How JIRA treats values that name nothing (`validateQuery`): `strict` refuses the query (400),
 * `warn` runs it and reports them as `warningMessages`, `none` runs it silently.
 */
export type JqlValidation = 'strict' | 'warn' | 'none';

type Tok =
  | { t: 'word'; v: string }
  | { t: 'str'; v: string }
  | { t: 'op'; v: string }
  | { t: 'lp' }
  | { t: 'rp' }
  | { t: 'comma' };

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(') out.push({ t: 'lp' });
    else if (c === ')') out.push({ t: 'rp' });
    else if (c === ',') out.push({ t: 'comma' });
    else if (c === '"' || c === "'") {
      let j = i + 1;
      let v = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') j++;
        v += src[j] ?? '';
        j++;
      }
      if (j >= src.length)
        throw new JqlError(`Error in the JQL Query: The quoted string '${v}' has not been completed.`);
      out.push({ t: 'str', v });
      i = j + 1;
      continue;
    } else if (/[=!~<>]/.test(c)) {
      const two = src.slice(i, i + 2);
      if (['!=', '!~', '>=', '<='].includes(two)) {
        out.push({ t: 'op', v: two });
        i += 2;
        continue;
      }
      if (c === '!')
        throw new JqlError(`Error in the JQL Query: The character '!' is a reserved JQL character.`);
      out.push({ t: 'op', v: c });
    } else {
      let j = i;
      while (j < src.length && !/[\s=!~<>(),"']/.test(src[j] ?? '')) j++;
      out.push({ t: 'word', v: src.slice(i, j) });
      i = j;
      continue;
    }
    i++;
  }
  return out;
}

export type JqlValue =
  | { kind: 'literal'; v: string }
  | { kind: 'fn'; name: string; args: string[] }
  | { kind: 'empty' };

export type JqlNode =
  | { type: 'and'; items: JqlNode[] }
  | { type: 'or'; items: JqlNode[] }
  | { type: 'not'; item: JqlNode }
  | { type: 'clause'; field: string; op: string; values: JqlValue[] };

export interface JqlOrder {
  field: string;
  desc: boolean;
}

export interface ParsedJql {
  where: JqlNode | null;
  orderBy: JqlOrder[];
}

const kw = (tok: Tok | undefined, word: string): boolean => tok?.t === 'word' && tok.v.toUpperCase() === word;

class JqlParser {
  private i = 0;

  constructor(private readonly toks: Tok[]) {}

  private peek(offset = 0): Tok | undefined {
    return this.toks[this.i + offset];
  }

  private fail(msg: string): never {
    throw new JqlError(`Error in the JQL Query: ${msg}`);
  }

  parse(): ParsedJql {
    let where: JqlNode | null = null;
    if (this.peek() && !kw(this.peek(), 'ORDER')) where = this.or();
    const orderBy: JqlOrder[] = [];
    if (kw(this.peek(), 'ORDER')) {
      this.i++;
      if (!kw(this.peek(), 'BY')) this.fail("Expecting 'by' after 'order'.");
      this.i++;
      for (;;) {
        const f = this.peek();
        if (!f || (f.t !== 'word' && f.t !== 'str'))
          this.fail('Expecting a field name in the ORDER BY clause.');
        this.i++;
        let desc = false;
        if (kw(this.peek(), 'DESC') || kw(this.peek(), 'ASC')) {
          desc = kw(this.peek(), 'DESC');
          this.i++;
        }
        orderBy.push({ field: f.v.toLowerCase(), desc });
        if (this.peek()?.t !== 'comma') break;
        this.i++;
      }
    }
    const rest = this.peek();
    if (rest) this.fail(`Expecting either 'OR' or 'AND' but got '${'v' in rest ? rest.v : rest.t}'.`);
    return { where, orderBy };
  }

  private or(): JqlNode {
    const items = [this.and()];
    while (kw(this.peek(), 'OR')) {
      this.i++;
      items.push(this.and());
    }
    return items.length === 1 ? (items[0] as JqlNode) : { type: 'or', items };
  }

  private and(): JqlNode {
    const items = [this.not()];
    while (kw(this.peek(), 'AND')) {
      this.i++;
      items.push(this.not());
    }
    return items.length === 1 ? (items[0] as JqlNode) : { type: 'and', items };
  }

  private not(): JqlNode {
    if (kw(this.peek(), 'NOT')) {
      this.i++;
      return { type: 'not', item: this.not() };
    }
    if (this.peek()?.t === 'lp') {
      this.i++;
      const inner = this.or();
      if (this.peek()?.t !== 'rp') this.fail("Expecting ')' before the end of the query.");
      this.i++;
      return inner;
    }
    return this.clause();
  }

  private clause(): JqlNode {
    const f = this.peek();
    if (!f || (f.t !== 'word' && f.t !== 'str')) this.fail('Expecting a field name.');
    this.i++;
    const field = f.v;
    let op: string;
    const o = this.peek();
    if (o?.t === 'op') {
      op = o.v;
      this.i++;
    } else if (kw(o, 'IN')) {
      op = 'in';
      this.i++;
    } else if (kw(o, 'NOT') && kw(this.peek(1), 'IN')) {
      op = 'not in';
      this.i += 2;
    } else if (kw(o, 'IS')) {
      this.i++;
      op = 'is';
      if (kw(this.peek(), 'NOT')) {
        op = 'is not';
        this.i++;
      }
    } else if (kw(o, 'WAS') || kw(o, 'CHANGED')) {
      this.fail(`The operator '${(o as { v: string }).v}' is not supported by this simulator.`);
    } else this.fail(`Expecting operator but got '${o && 'v' in o ? o.v : 'end of query'}'.`);
    let values: JqlValue[];
    if (op === 'in' || op === 'not in') {
      if (this.peek()?.t !== 'lp') {
        values = [this.value()];
      } else {
        this.i++;
        values = [this.value()];
        while (this.peek()?.t === 'comma') {
          this.i++;
          values.push(this.value());
        }
        if (this.peek()?.t !== 'rp') this.fail("Expecting ')' to close the list.");
        this.i++;
      }
    } else values = [this.value()];
    return { type: 'clause', field: field.toLowerCase(), op, values };
  }

  private value(): JqlValue {
    const v = this.peek();
    if (!v || (v.t !== 'word' && v.t !== 'str')) this.fail('Expecting a value.');
    this.i++;
    if (v.t === 'word' && (v.v.toUpperCase() === 'EMPTY' || v.v.toUpperCase() === 'NULL'))
      return { kind: 'empty' };
    if (v.t === 'word' && this.peek()?.t === 'lp') {
      this.i++;
      const args: string[] = [];
      while (this.peek() && this.peek()?.t !== 'rp') {
        const a = this.peek();
        if (a?.t === 'word' || a?.t === 'str') args.push(a.v);
        this.i++;
      }
      if (this.peek()?.t !== 'rp') this.fail(`Expecting ')' after the arguments of ${v.v}.`);
      this.i++;
      return { kind: 'fn', name: v.v.toLowerCase(), args };
    }
    return { kind: 'literal', v: v.v };
  }
}

export function parseJql(jql: string): ParsedJql {
  return new JqlParser(lex(jql)).parse();
}

export interface JqlContext {
  state: SimulatorState;
  flavor: JiraFlavor;
  currentUser: SimUser;
  now: number;
  /** Default strict. */
  validation?: JqlValidation;
  /** Where `warn` puts its messages. */
  warnings?: string[];
}

const ISSUE_KEY = /^[A-Z][A-Z0-9_]*-\d+$/i;

/** JIRA checks every key a query names: a malformed or unknown one fails the query (or warns). */
function checkKeys(keys: string[], ctx: JqlContext): void {
  const problems = keys.flatMap((k) =>
    !ISSUE_KEY.test(k)
      ? [`The issue key '${k}' for field 'key' is invalid.`]
      : ctx.state.findIssue(k)
        ? []
        : [`An issue with key '${k}' does not exist for field 'key'.`],
  );
  if (problems.length === 0 || ctx.validation === 'none') return;
  if (ctx.validation === 'warn') ctx.warnings?.push(...problems);
  else throw new JqlError(problems[0] as string, problems);
}

type Pred = (issue: SimIssue) => boolean;

const DATE_FIELDS: Record<string, (i: SimIssue) => number | undefined> = {
  created: (i) => i.created,
  createddate: (i) => i.created,
  updated: (i) => i.updated,
  updateddate: (i) => i.updated,
  resolutiondate: (i) => i.resolutionDate,
  resolved: (i) => i.resolutionDate,
};

const PERIOD_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Absolute dates with minute precision (no seconds, as real JQL), periods like -15m / -1d / -2w. */
/**
 * Epoch ms of a wall-clock time in `timeZone`. JIRA reads JQL dates in the searching user's profile zone,
 * so "2024-05-01 10:00" is a different instant for a user in Kolkata than for one in Los Angeles.
 */
export function zonedTimeToUtc(fields: [number, number, number, number, number], timeZone: string): number {
  const wall = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4]);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const offsetAt = (t: number): number => {
    const p = Object.fromEntries(format.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]));
    return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0) - t;
  };
  // Two rounds settle the offset also next to a daylight-saving change.
  const first = wall - offsetAt(wall);
  return wall - offsetAt(first);
}

export function parseJqlDate(field: string, value: JqlValue, now: number, timeZone = 'UTC'): number {
  const invalid = (text: string): never => {
    throw new JqlError(
      `Date value '${text}' for field '${field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
    );
  };
  if (value.kind === 'fn') {
    const offset = value.args[0] ? parseJqlDate(field, { kind: 'literal', v: value.args[0] }, 0) : 0;
    const day = 86_400_000;
    if (value.name === 'now') return now;
    if (value.name === 'startofday') return Math.floor(now / day) * day + offset;
    if (value.name === 'endofday') return Math.floor(now / day) * day + day - 1 + offset;
    throw new JqlError(`Unable to find JQL function '${value.name}()'.`);
  }
  if (value.kind === 'empty') return invalid('EMPTY');
  const text = value.v.trim();
  const period = /^([+-]?)((?:\d+[mhdw]\s*)+)$/.exec(text);
  if (period) {
    let ms = 0;
    for (const m of (period[2] ?? '').matchAll(/(\d+)([mhdw])/g))
      ms += Number(m[1]) * (PERIOD_MS[m[2] ?? 'd'] ?? 0);
    return now + (period[1] === '-' ? -ms : ms);
  }
  const m = /^(\d{4})[-/](\d{2})[-/](\d{2})(?: (\d{1,2}):(\d{2}))?$/.exec(text);
  if (!m) return invalid(text);
  const ms = zonedTimeToUtc(
    [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0)],
    timeZone,
  );
  return Number.isNaN(ms) ? invalid(text) : ms;
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

function literals(field: string, values: JqlValue[]): string[] {
  return values.map((v) => {
    if (v.kind !== 'literal') throw new JqlError(`The field '${field}' does not support this value.`);
    return v.v;
  });
}

export function compileJql(node: JqlNode | null, ctx: JqlContext): Pred {
  if (node === null) return () => true;
  if (node.type === 'and') {
    const parts = node.items.map((n) => compileJql(n, ctx));
    return (i) => parts.every((p) => p(i));
  }
  if (node.type === 'or') {
    const parts = node.items.map((n) => compileJql(n, ctx));
    return (i) => parts.some((p) => p(i));
  }
  if (node.type === 'not') {
    const inner = compileJql(node.item, ctx);
    return (i) => !inner(i);
  }
  return compileClause(node.field, node.op, node.values, ctx);
}

/** Builds a predicate for =, !=, in, not in, is, is not over a multi-valued getter. */
function setClause(
  field: string,
  op: string,
  wanted: Set<string> | 'empty',
  get: (i: SimIssue) => string[],
): Pred {
  if (wanted === 'empty') {
    if (op === 'is' || op === '=') return (i) => get(i).length === 0;
    if (op === 'is not' || op === '!=') return (i) => get(i).length > 0;
    throw new JqlError(`The operator '${op}' is not supported by the '${field}' field with EMPTY.`);
  }
  if (op === '=' || op === 'in') return (i) => get(i).some((v) => wanted.has(v.toLowerCase()));
  if (op === '!=' || op === 'not in') return (i) => !get(i).some((v) => wanted.has(v.toLowerCase()));
  throw new JqlError(`The operator '${op}' is not supported by the '${field}' field.`);
}

function compileClause(field: string, op: string, values: JqlValue[], ctx: JqlContext): Pred {
  const { state } = ctx;
  const isEmpty = values.length === 1 && values[0]?.kind === 'empty';
  const lowerSet = (vals: string[]): Set<string> => new Set(vals.map((v) => v.toLowerCase()));
  switch (field) {
    case 'project': {
      const keys = literals(field, values).map((v) => {
        const p = [...state.projects.values()].find(
          (x) =>
            x.key.toLowerCase() === v.toLowerCase() || x.id === v || x.name.toLowerCase() === v.toLowerCase(),
        );
        if (!p) throw new JqlError(`The value '${v}' does not exist for the field 'project'.`);
        return p.key;
      });
      return setClause(field, op, lowerSet(keys), (i) => [i.projectKey]);
    }
    case 'labels':
      return setClause(field, op, isEmpty ? 'empty' : lowerSet(literals(field, values)), (i) => i.labels);
    case 'component':
    case 'components':
      return setClause(field, op, isEmpty ? 'empty' : lowerSet(literals(field, values)), (i) => i.components);
    case 'status': {
      const names = literals(field, values).map((v) => {
        const s = statusByName(v) ?? STATUSES.find((x) => x.id === v);
        if (!s) throw new JqlError(`The value '${v}' does not exist for the field 'status'.`);
        return s.name;
      });
      return setClause(field, op, lowerSet(names), (i) => [i.status]);
    }
    case 'statuscategory': {
      const cats = literals(field, values).map((v) => {
        const l = v.toLowerCase();
        if (l === 'to do' || l === 'new' || l === '2') return 'new';
        if (l === 'in progress' || l === 'indeterminate' || l === '4') return 'indeterminate';
        if (l === 'done' || l === '3') return 'done';
        throw new JqlError(`The value '${v}' does not exist for the field 'statusCategory'.`);
      });
      return setClause(field, op, new Set(cats), (i) => [
        statusByName(i.status)?.category ?? 'indeterminate',
      ]);
    }
    case 'key':
    case 'issuekey': {
      const keys = literals(field, values);
      checkKeys(keys, ctx);
      return setClause(field, op, lowerSet(keys), (i) => [i.key]);
    }
    case 'id':
      return setClause(field, op, lowerSet(literals(field, values)), (i) => [String(i.id)]);
    case 'issuetype':
    case 'type':
      return setClause(field, op, lowerSet(literals(field, values)), (i) => [i.issueType]);
    case 'priority':
      return setClause(field, op, lowerSet(literals(field, values)), (i) => [i.priority]);
    case 'summary':
    case 'description':
    case 'text': {
      if (op !== '~' && op !== '!~') {
        throw new JqlError(`The operator '${op}' is not supported by the '${field}' field.`);
      }
      const [needle] = literals(field, values);
      const phrase = (needle ?? '').toLowerCase().replaceAll('*', '');
      const needWords = words(phrase);
      const textOf = (i: SimIssue): string =>
        field === 'summary'
          ? i.summary
          : field === 'description'
            ? i.description
            : `${i.summary} ${i.description}`;
      const match = (i: SimIssue): boolean => {
        const have = new Set(words(textOf(i)));
        const prefix = (needle ?? '').endsWith('*');
        return needWords.every((w, idx) =>
          prefix && idx === needWords.length - 1 ? [...have].some((h) => h.startsWith(w)) : have.has(w),
        );
      };
      return op === '~' ? match : (i) => !match(i);
    }
    case 'sprint': {
      if (isEmpty) return setClause(field, op, 'empty', (i) => i.sprintIds.map(String));
      const ids = new Set<string>();
      for (const v of values) {
        if (v.kind === 'fn') {
          const state_ =
            v.name === 'opensprints'
              ? ['active', 'future']
              : v.name === 'closedsprints'
                ? ['closed']
                : v.name === 'futuresprints'
                  ? ['future']
                  : null;
          if (!state_) throw new JqlError(`Unable to find JQL function '${v.name}()'.`);
          for (const s of state.sprints) if (state_.includes(s.state)) ids.add(String(s.id));
        } else if (v.kind === 'literal') {
          const s = state.sprints.find(
            (x) => String(x.id) === v.v || x.name.toLowerCase() === v.v.toLowerCase(),
          );
          if (s) ids.add(String(s.id));
          else if (!/^\d+$/.test(v.v))
            throw new JqlError(
              `Sprint with name '${v.v}' does not exist or you do not have permission to view it.`,
            );
        }
      }
      return setClause(field, op, ids, (i) => i.sprintIds.map(String));
    }
    case 'assignee':
    case 'reporter': {
      const get = (i: SimIssue): string[] => {
        const u = field === 'assignee' ? i.assignee : i.reporter;
        return u ? [u.accountId.toLowerCase()] : [];
      };
      if (isEmpty) return setClause(field, op, 'empty', get);
      const ids = values.map((v) => {
        if (v.kind === 'fn') {
          if (v.name !== 'currentuser') throw new JqlError(`Unable to find JQL function '${v.name}()'.`);
          return ctx.currentUser.accountId;
        }
        if (v.kind !== 'literal') throw new JqlError(`The field '${field}' does not support this value.`);
        // Cloud resolves users by accountId only (GDPR); Data Center by username or key.
        const u =
          ctx.flavor === 'cloud'
            ? state.findUser({ accountId: v.v })
            : state.findUser({ name: v.v, email: v.v.replace('\\u0040', '@') });
        if (!u) throw new JqlError(`The value '${v.v}' does not exist for the field '${field}'.`);
        return u.accountId;
      });
      return setClause(field, op, lowerSet(ids), get);
    }
    default: {
      const dateOf = DATE_FIELDS[field];
      if (!dateOf)
        throw new JqlError(`Field '${field}' does not exist or you do not have permission to view it.`);
      if (isEmpty) {
        if (op === 'is') return (i) => dateOf(i) === undefined;
        if (op === 'is not') return (i) => dateOf(i) !== undefined;
      }
      const [value] = values;
      if (!value || values.length !== 1)
        throw new JqlError(`The operator '${op}' is not supported by the '${field}' field.`);
      const at = parseJqlDate(field, value, ctx.now, ctx.currentUser.timeZone);
      const cmp: Record<string, (t: number) => boolean> = {
        '>=': (t) => t >= at,
        '>': (t) => t > at,
        '<=': (t) => t <= at,
        '<': (t) => t < at,
        '=': (t) => t >= at && t < at + 60_000,
        '!=': (t) => t < at || t >= at + 60_000,
      };
      const test = cmp[op];
      if (!test) throw new JqlError(`The operator '${op}' is not supported by the '${field}' field.`);
      return (i) => {
        const t = dateOf(i);
        return t !== undefined && test(t);
      };
    }
  }
}

function keyParts(key: string): [string, number] {
  const dash = key.lastIndexOf('-');
  return [key.slice(0, dash), Number(key.slice(dash + 1))];
}

export function compareKeys(a: string, b: string): number {
  const [pa, na] = keyParts(a);
  const [pb, nb] = keyParts(b);
  return pa === pb ? na - nb : pa < pb ? -1 : 1;
}

const PRIORITY_RANK: Record<string, number> = {
  Blocker: 6,
  Critical: 5,
  Major: 4,
  Normal: 3,
  Minor: 2,
  Undefined: 1,
};

/** ORDER BY; without one, results come back newest key first. */
export function sorterFor(orderBy: JqlOrder[]): (a: SimIssue, b: SimIssue) => number {
  const order = orderBy.length > 0 ? orderBy : [{ field: 'key', desc: true }];
  const getters: Record<string, (i: SimIssue) => number | string> = {
    created: (i) => i.created,
    updated: (i) => i.updated,
    resolutiondate: (i) => i.resolutionDate ?? 0,
    id: (i) => i.id,
    summary: (i) => i.summary.toLowerCase(),
    status: (i) => i.status,
    priority: (i) => PRIORITY_RANK[i.priority] ?? 0,
    assignee: (i) => i.assignee?.displayName ?? '',
  };
  for (const o of order) {
    if (o.field !== 'key' && o.field !== 'issuekey' && !getters[o.field]) {
      throw new JqlError(
        `Error in the JQL Query: Field '${o.field}' does not exist or you do not have permission to view it.`,
      );
    }
  }
  return (a, b) => {
    for (const o of order) {
      let c: number;
      if (o.field === 'key' || o.field === 'issuekey') c = compareKeys(a.key, b.key);
      else {
        const get = getters[o.field] as (i: SimIssue) => number | string;
        const x = get(a);
        const y = get(b);
        c = x < y ? -1 : x > y ? 1 : 0;
      }
      if (c !== 0) return o.desc ? -c : c;
    }
    return 0;
  };
}
