/**
 * The subset of Solr/Lucene query syntax the Portal search accepts from t5g-style clients:
 * `field:value`, `field:"phrase"`, `field:*wild*`, `field:[X TO Y]` (dates, `*` open ends, simple
 * NOW date math), `field:(a OR b)`, AND / OR / NOT / `-` / `+`, parentheses and `*:*`.
 * Adjacent clauses without an operator are OR'ed (Solr's default q.op), and prohibited clauses
 * (`-x`, `NOT x`) subtract from their group, as in Lucene.
 */

export type FieldType = 'string' | 'text' | 'date';

export interface SolrField<D> {
  type: FieldType;
  /** String values (string/text fields) or epoch ms (date fields); undefined when absent. */
  get(doc: D): readonly string[] | number | undefined;
}

export type SolrSchema<D> = Record<string, SolrField<D>>;

export class SolrQueryError extends Error {}

type ValueNode =
  | { kind: 'term'; text: string; quoted: boolean }
  | { kind: 'wildcard'; re: RegExp; any: boolean }
  | { kind: 'range'; lo: string; hi: string; loInc: boolean; hiInc: boolean };

type Node =
  | { type: 'all' }
  | { type: 'bool'; op: 'and' | 'or'; items: Node[] }
  | { type: 'not'; item: Node }
  | { type: 'required'; item: Node }
  | { type: 'term'; field: string | null; value: ValueNode };

class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  fail(msg: string): never {
    throw new SolrQueryError(`org.apache.solr.search.SyntaxError: Cannot parse '${this.src}': ${msg}`);
  }

  private skipWs(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? '')) this.pos++;
  }

  private peekWord(word: string): boolean {
    this.skipWs();
    const next = this.src.slice(this.pos, this.pos + word.length);
    const after = this.src[this.pos + word.length] ?? ' ';
    return next === word && /[\s()]/.test(after);
  }

  parse(): Node {
    const node = this.orExpr(null);
    this.skipWs();
    if (this.pos < this.src.length)
      this.fail(`Encountered "${this.src.slice(this.pos)}" at column ${this.pos}`);
    return node;
  }

  private atEnd(): boolean {
    this.skipWs();
    return this.pos >= this.src.length || this.src[this.pos] === ')';
  }

  private orExpr(field: string | null): Node {
    const items: Node[] = [this.andExpr(field)];
    while (!this.atEnd()) {
      if (this.peekWord('OR')) this.pos += 2;
      items.push(this.andExpr(field));
    }
    return items.length === 1 ? (items[0] as Node) : { type: 'bool', op: 'or', items };
  }

  private andExpr(field: string | null): Node {
    const items: Node[] = [this.unary(field)];
    while (this.peekWord('AND') || this.peekWord('&&')) {
      this.pos += this.src.startsWith('&&', this.pos) ? 2 : 3;
      items.push(this.unary(field));
    }
    return items.length === 1 ? (items[0] as Node) : { type: 'bool', op: 'and', items };
  }

  private unary(field: string | null): Node {
    this.skipWs();
    if (this.peekWord('NOT')) {
      this.pos += 3;
      return { type: 'not', item: this.unary(field) };
    }
    const ch = this.src[this.pos];
    if (ch === '-' || ch === '!') {
      this.pos++;
      return { type: 'not', item: this.unary(field) };
    }
    if (ch === '+') {
      this.pos++;
      return { type: 'required', item: this.unary(field) };
    }
    return this.primary(field);
  }

  private primary(field: string | null): Node {
    this.skipWs();
    if (this.pos >= this.src.length) this.fail('Encountered "<EOF>"');
    if (this.src[this.pos] === '(') {
      this.pos++;
      const inner = this.orExpr(field);
      this.skipWs();
      if (this.src[this.pos] !== ')') this.fail(`Encountered "<EOF>", expected ")" at column ${this.pos}`);
      this.pos++;
      return inner;
    }
    if (this.src.startsWith('*:*', this.pos)) {
      this.pos += 3;
      return { type: 'all' };
    }
    // field:value, or a bare value searched in the default field(s).
    const m = /^([A-Za-z_][A-Za-z0-9_.]*):/.exec(this.src.slice(this.pos));
    if (m) {
      this.pos += m[0].length;
      const name = m[1] ?? '';
      if (this.src[this.pos] === '(') {
        this.pos++;
        const inner = this.orExpr(name);
        this.skipWs();
        if (this.src[this.pos] !== ')') this.fail('expected ")"');
        this.pos++;
        return inner;
      }
      return { type: 'term', field: name, value: this.value() };
    }
    return { type: 'term', field, value: this.value() };
  }

  private value(): ValueNode {
    const ch = this.src[this.pos];
    if (ch === '"') {
      const end = this.src.indexOf('"', this.pos + 1);
      if (end < 0) this.fail('Lexical error: unterminated quoted string');
      const text = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
      return { kind: 'term', text, quoted: true };
    }
    if (ch === '[' || ch === '{') {
      const closeAt = this.src.slice(this.pos).search(/[\]}]/);
      if (closeAt < 0) this.fail('unterminated range');
      const body = this.src.slice(this.pos + 1, this.pos + closeAt);
      const close = this.src[this.pos + closeAt];
      const parts = body.trim().split(/\s+TO\s+/);
      if (parts.length !== 2) this.fail(`Encountered "${body}", expected "TO"`);
      this.pos += closeAt + 1;
      return {
        kind: 'range',
        lo: (parts[0] ?? '*').replace(/^"|"$/g, ''),
        hi: (parts[1] ?? '*').replace(/^"|"$/g, ''),
        loInc: ch === '[',
        hiInc: close === ']',
      };
    }
    let text = '';
    while (this.pos < this.src.length) {
      const c = this.src[this.pos] ?? '';
      if (c === '\\') {
        text += this.src[this.pos + 1] ?? '';
        this.pos += 2;
        continue;
      }
      if (/[\s()]/.test(c)) break;
      text += c;
      this.pos++;
    }
    if (text === '') this.fail(`Encountered "${this.src[this.pos] ?? '<EOF>'}" at column ${this.pos}`);
    if (text.includes('*') || text.includes('?')) {
      const escaped = text.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&');
      return {
        kind: 'wildcard',
        re: new RegExp(`^${escaped.replaceAll('*', '.*').replaceAll('?', '.')}$`, 's'),
        any: text === '*',
      };
    }
    return { kind: 'term', text, quoted: false };
  }
}

const UNIT_MS: Record<string, number> = {
  SECOND: 1000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
  WEEK: 7 * 86_400_000,
  MONTH: 30 * 86_400_000,
  YEAR: 365 * 86_400_000,
};

/** ISO dates and Solr date math (`NOW`, `NOW-7DAYS`, `NOW/DAY`); `*` is an open end. */
export function parseSolrDate(text: string, now: number): number | null {
  if (text === '*') return null;
  if (text.startsWith('NOW')) {
    let t = now;
    const re = /([+-])(\d+)([A-Z]+?)S?(?=[+\-/]|$)|\/([A-Z]+?)S?(?=[+\-/]|$)/g;
    const rest = text.slice(3);
    let consumed = 0;
    for (const m of rest.matchAll(re)) {
      consumed += m[0].length;
      if (m[4]) {
        const unit = UNIT_MS[m[4]];
        if (!unit) throw new SolrQueryError(`Invalid Date Math String:'${text}'`);
        t = Math.floor(t / unit) * unit;
      } else {
        const unit = UNIT_MS[m[3] ?? ''];
        if (!unit) throw new SolrQueryError(`Invalid Date Math String:'${text}'`);
        t += (m[1] === '-' ? -1 : 1) * Number(m[2]) * unit;
      }
    }
    if (consumed !== rest.length) throw new SolrQueryError(`Invalid Date Math String:'${text}'`);
    return t;
  }
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(text) || Number.isNaN(ms)) {
    throw new SolrQueryError(`Invalid Date String:'${text}'`);
  }
  return ms;
}

export type Predicate<D> = (doc: D) => boolean;

/** Fields searched by a bare term without `field:`. */
const DEFAULT_FIELDS = ['case_summary', 'case_number', 'case_account_name'];

export function compileSolrQuery<D>(q: string, schema: SolrSchema<D>, now: number): Predicate<D> {
  const trimmed = q.trim();
  if (trimmed === '') return () => true;
  const ast = new Parser(trimmed).parse();
  return compileNode(ast, schema, now);
}

function compileNode<D>(node: Node, schema: SolrSchema<D>, now: number): Predicate<D> {
  switch (node.type) {
    case 'all':
      return () => true;
    case 'required':
      return compileNode(node.item, schema, now);
    case 'not': {
      const inner = compileNode(node.item, schema, now);
      return (d) => !inner(d);
    }
    case 'term':
      return compileTerm(node.field, node.value, schema, now);
    case 'bool': {
      if (node.op === 'and') {
        const parts = node.items.map((i) => compileNode(i, schema, now));
        return (d) => parts.every((p) => p(d));
      }
      // Lucene semantics for an OR group: required and prohibited clauses constrain the group,
      // the rest are alternatives (if there are none, the group matches everything else).
      const required = node.items
        .filter((i) => i.type === 'required')
        .map((i) => compileNode(i, schema, now));
      const prohibited = node.items.filter((i) => i.type === 'not').map((i) => compileNode(i, schema, now));
      const optional = node.items
        .filter((i) => i.type !== 'required' && i.type !== 'not')
        .map((i) => compileNode(i, schema, now));
      return (d) =>
        required.every((p) => p(d)) &&
        prohibited.every((p) => p(d)) &&
        (optional.length === 0 || required.length > 0 || optional.some((p) => p(d)));
    }
  }
}

function compileTerm<D>(
  field: string | null,
  value: ValueNode,
  schema: SolrSchema<D>,
  now: number,
): Predicate<D> {
  if (field === null) {
    const alternatives = DEFAULT_FIELDS.map((f) => compileTerm(f, value, schema, now));
    return (d) => alternatives.some((p) => p(d));
  }
  const def = schema[field];
  if (!def) throw new SolrQueryError(`undefined field ${field}`);
  if (def.type === 'date') {
    if (value.kind === 'wildcard') {
      if (!value.any) throw new SolrQueryError(`Invalid Date String:'${value.re.source}'`);
      return (d) => def.get(d) !== undefined;
    }
    const lo = value.kind === 'range' ? parseSolrDate(value.lo, now) : parseSolrDate(value.text, now);
    const hi = value.kind === 'range' ? parseSolrDate(value.hi, now) : lo;
    const loInc = value.kind === 'range' ? value.loInc : true;
    const hiInc = value.kind === 'range' ? value.hiInc : true;
    return (d) => {
      const t = def.get(d);
      if (typeof t !== 'number') return false;
      if (lo !== null && (loInc ? t < lo : t <= lo)) return false;
      if (hi !== null && (hiInc ? t > hi : t >= hi)) return false;
      return true;
    };
  }
  const valuesOf = (d: D): readonly string[] => {
    const v = def.get(d);
    return Array.isArray(v) ? v : [];
  };
  if (value.kind === 'range') {
    return (d) =>
      valuesOf(d).some(
        (v) =>
          (value.lo === '*' || (value.loInc ? v >= value.lo : v > value.lo)) &&
          (value.hi === '*' || (value.hiInc ? v <= value.hi : v < value.hi)),
      );
  }
  if (value.kind === 'wildcard') {
    if (value.any) return (d) => valuesOf(d).length > 0;
    const re = value.re;
    if (def.type === 'text') {
      return (d) => valuesOf(d).some((v) => re.test(v.toLowerCase()) || tokens(v).some((t) => re.test(t)));
    }
    return (d) => valuesOf(d).some((v) => re.test(v.toLowerCase()));
  }
  const needle = value.text.toLowerCase();
  if (def.type === 'text') {
    const needleTokens = tokens(value.text);
    return (d) =>
      valuesOf(d).some((v) => {
        const lower = v.toLowerCase();
        if (value.quoted) return lower.includes(needle);
        const have = new Set(tokens(v));
        return needleTokens.every((t) => have.has(t));
      });
  }
  return (d) => valuesOf(d).some((v) => v.toLowerCase() === needle);
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((t) => t !== '');
}

export interface SolrSort {
  field: string;
  desc: boolean;
}

/** `sort=case_lastModifiedDate desc,case_number asc`. */
export function parseSolrSort<D>(sort: string, schema: SolrSchema<D>): SolrSort[] {
  return sort
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((clause) => {
      const m = /^(\S+)\s+(asc|desc)$/i.exec(clause);
      if (!m) throw new SolrQueryError(`Can't determine a Sort Order (asc or desc) in sort spec '${clause}'`);
      const field = m[1] ?? '';
      if (!schema[field]) throw new SolrQueryError(`sort param field can't be found: ${field}`);
      return { field, desc: (m[2] ?? '').toLowerCase() === 'desc' };
    });
}
