/**
 * Each upstream's date and text formats. Bodies are stored as Jira wiki markup; Jira v3 wants
 * Atlassian Document Format and renderedFields want HTML, so both are derived here.
 */

/** Portal and Bugzilla: `YYYY-MM-DDTHH:MM:SSZ` (no milliseconds). */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Jira: `yyyy-MM-dd'T'HH:mm:ss.SSS+0000`. */
export function jiraDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** Jira renderedFields dates look like `13/Mar/25 1:25 PM`. */
export function jiraRenderedDate(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const h = d.getUTCHours();
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  const day = String(d.getUTCDate()).padStart(2, '0');
  const year = String(d.getUTCFullYear()).slice(2);
  const minutes = String(d.getUTCMinutes()).padStart(2, '0');
  return `${day}/${months[d.getUTCMonth()]}/${year} ${hour12}:${minutes} ${h < 12 ? 'AM' : 'PM'}`;
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

type Inline = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const LINK_RE = /\[([^\]|]+)\|([^\]]+)\]|(https?:\/\/[^\s<>"\]]+)/g;

function inlineParts(line: string): Inline[] {
  const parts: Inline[] = [];
  let last = 0;
  for (const m of line.matchAll(LINK_RE)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ kind: 'text', text: line.slice(last, at) });
    if (m[3]) parts.push({ kind: 'link', text: m[3], href: m[3] });
    else parts.push({ kind: 'link', text: m[1] ?? '', href: m[2] ?? '' });
    last = at + m[0].length;
  }
  if (last < line.length) parts.push({ kind: 'text', text: line.slice(last) });
  return parts;
}

type Block =
  | { kind: 'code'; text: string }
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'para'; lines: string[] };

function blocks(wiki: string): Block[] {
  const out: Block[] = [];
  const normalized = wiki.replaceAll('\r\n', '\n');
  const chunks = normalized.split(/(\{code(?::[^}]*)?\}[\s\S]*?\{code\})/);
  for (const chunk of chunks) {
    const code = /^\{code(?::[^}]*)?\}([\s\S]*?)\{code\}$/.exec(chunk);
    if (code) {
      out.push({ kind: 'code', text: code[1] ?? '' });
      continue;
    }
    for (const para of chunk.split(/\n{2,}/)) {
      const lines = para.split('\n').filter((l) => l.trim() !== '');
      if (lines.length === 0) continue;
      const heading = /^h([1-6])\.\s*(.*)$/.exec(lines[0] ?? '');
      if (heading) {
        out.push({ kind: 'heading', level: Number(heading[1]), text: heading[2] ?? '' });
        if (lines.length > 1) out.push({ kind: 'para', lines: lines.slice(1) });
      } else out.push({ kind: 'para', lines });
    }
  }
  return out;
}

/** Rough wiki→HTML, like Jira's renderer: remote text is escaped, links become anchors. */
export function wikiToHtml(wiki: string): string {
  return blocks(wiki)
    .map((b) => {
      if (b.kind === 'code') return `<div class="code panel"><pre>${escapeHtml(b.text)}</pre></div>`;
      if (b.kind === 'heading') return `<h${b.level}>${escapeHtml(b.text)}</h${b.level}>`;
      const lines = b.lines.map((line) =>
        inlineParts(line)
          .map((p) =>
            p.kind === 'text'
              ? escapeHtml(p.text).replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
              : `<a href="${escapeHtml(p.href)}" class="external-link" rel="nofollow">${escapeHtml(p.text)}</a>`,
          )
          .join(''),
      );
      return `<p>${lines.join('<br/>\n')}</p>`;
    })
    .join('\n');
}

export interface AdfNode {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
  content?: AdfNode[];
  version?: number;
}

/** Wiki→ADF (v3 bodies): paragraphs, hard breaks, links, code blocks, headings. */
export function wikiToAdf(wiki: string): AdfNode {
  const content: AdfNode[] = blocks(wiki).map((b) => {
    if (b.kind === 'code') return { type: 'codeBlock', attrs: {}, content: [{ type: 'text', text: b.text }] };
    if (b.kind === 'heading')
      return { type: 'heading', attrs: { level: b.level }, content: [{ type: 'text', text: b.text }] };
    const nodes: AdfNode[] = [];
    b.lines.forEach((line, i) => {
      if (i > 0) nodes.push({ type: 'hardBreak' });
      for (const p of inlineParts(line)) {
        if (p.kind === 'text') nodes.push({ type: 'text', text: p.text });
        else nodes.push({ type: 'text', text: p.text, marks: [{ type: 'link', attrs: { href: p.href } }] });
      }
    });
    return { type: 'paragraph', content: nodes };
  });
  return { type: 'doc', version: 1, content };
}

export function isAdfDoc(value: unknown): value is AdfNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'doc' &&
    Array.isArray((value as { content?: unknown }).content)
  );
}

/** ADF→wiki for bodies written through v3; keeps text, links, breaks and code blocks. */
export function adfToWiki(node: AdfNode): string {
  const inline = (n: AdfNode): string => {
    if (n.type === 'text') {
      const link = n.marks?.find((m) => m.type === 'link');
      const href = link?.attrs?.href;
      return typeof href === 'string' ? `[${n.text ?? ''}|${href}]` : (n.text ?? '');
    }
    if (n.type === 'hardBreak') return '\n';
    if (n.type === 'mention') return String(n.attrs?.text ?? '');
    return (n.content ?? []).map(inline).join('');
  };
  return (node.content ?? [])
    .map((b) => {
      if (b.type === 'codeBlock') return `{code}${(b.content ?? []).map(inline).join('')}{code}`;
      if (b.type === 'heading')
        return `h${Number(b.attrs?.level ?? 1)}. ${(b.content ?? []).map(inline).join('')}`;
      if (b.type === 'bulletList' || b.type === 'orderedList')
        return (b.content ?? []).map((li) => `* ${(li.content ?? []).map(inline).join('')}`).join('\n');
      return (b.content ?? []).map(inline).join('');
    })
    .join('\n\n');
}
