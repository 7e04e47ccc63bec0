import { Fragment, type ReactNode } from 'react';

// Upstream text (JIRA wiki markup, Atlassian Document Format, Portal plain text) rendered as React
// elements. Nothing is ever inserted as HTML: markup becomes elements, everything else stays text,
// and links are kept only for http(s) and mailto URLs. A comment holding `<script>` or
// `<img onerror=…>` therefore shows those characters and does nothing.

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  const trimmed = url.trim();
  return SAFE_URL.test(trimmed) ? trimmed : null;
}

/** An external link, only for http(s)/mailto URLs; anything else is shown as plain text. */
export function ExtLink({
  url,
  children,
  title,
  className,
}: {
  url: string | null | undefined;
  children: ReactNode;
  title?: string;
  className?: string;
}) {
  const safe = safeUrl(url);
  if (!safe) return className ? <span className={className}>{children}</span> : children;
  return (
    <a href={safe} target="_blank" rel="noopener noreferrer" title={title} className={className}>
      {children}
    </a>
  );
}

/** Plain text with bare URLs made clickable. */
export function linkify(text: string, keyPrefix = 'l'): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /\bhttps?:\/\/[^\s<>"'|\]]+[^\s<>"'|\].,;:!?)]/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(
      <ExtLink key={`${keyPrefix}${m.index}`} url={m[0]}>
        {m[0]}
      </ExtLink>,
    );
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

// ---- JIRA wiki markup -----------------------------------------------------------------------------

interface InlineRule {
  re: RegExp;
  render: (m: RegExpExecArray, key: string) => ReactNode;
}

const INLINE_RULES: InlineRule[] = [
  { re: /\{\{([^}]+?)\}\}/, render: (m, k) => <code key={k}>{m[1]}</code> },
  {
    re: /\[([^\]|]*?)\|([^\]]+?)\]/,
    render: (m, k) => (
      <ExtLink key={k} url={m[2] ?? ''}>
        {m[1] || m[2]}
      </ExtLink>
    ),
  },
  {
    re: /\[~([^\]]+?)\]/,
    render: (m, k) => (
      <span key={k} className="mention">
        @{m[1]}
      </span>
    ),
  },
  {
    re: /\[((?:https?:\/\/|mailto:)[^\]]+?)\]/,
    render: (m, k) => (
      <ExtLink key={k} url={m[1] ?? ''}>
        {m[1]}
      </ExtLink>
    ),
  },
  {
    re: /\{color(?::[^}]*)?\}([\s\S]*?)\{color\}/,
    render: (m, k) => <span key={k}>{inline(m[1] ?? '', k)}</span>,
  },
  {
    re: /(?<![\w*])\*(?=\S)([^*\n]+?)\*(?![\w*])/,
    render: (m, k) => <strong key={k}>{inline(m[1] ?? '', k)}</strong>,
  },
  { re: /(?<![\w_])_(?=\S)([^_\n]+?)_(?![\w_])/, render: (m, k) => <em key={k}>{inline(m[1] ?? '', k)}</em> },
  {
    re: /(?<![\w-])-(?=\S)([^-\n]+?)-(?![\w-])/,
    render: (m, k) => <del key={k}>{inline(m[1] ?? '', k)}</del>,
  },
  { re: /(?<![\w+])\+(?=\S)([^+\n]+?)\+(?![\w+])/, render: (m, k) => <u key={k}>{inline(m[1] ?? '', k)}</u> },
  {
    re: /!([^!\s|]+)(?:\|[^!]*)?!/,
    render: (m, k) => (
      <span key={k} className="attachment">
        [{m[1]}]
      </span>
    ),
  },
  { re: /\\\\/, render: (_m, k) => <br key={k} /> },
  {
    re: /\bhttps?:\/\/[^\s<>"'|\]]+[^\s<>"'|\].,;:!?)]/,
    render: (m, k) => (
      <ExtLink key={k} url={m[0]}>
        {m[0]}
      </ExtLink>
    ),
  },
];

/** Inline wiki markup: the earliest match of any rule wins, the text around it recurses. */
function inline(text: string, keyPrefix: string): ReactNode[] {
  const out: ReactNode[] = [];
  let rest = text;
  let n = 0;
  while (rest) {
    let best: { m: RegExpExecArray; rule: InlineRule } | null = null;
    for (const rule of INLINE_RULES) {
      const m = rule.re.exec(rest);
      if (m && (!best || m.index < best.m.index)) best = { m, rule };
    }
    if (!best) {
      out.push(rest);
      break;
    }
    if (best.m.index > 0) out.push(rest.slice(0, best.m.index));
    out.push(best.rule.render(best.m, `${keyPrefix}.${n++}`));
    rest = rest.slice(best.m.index + best.m[0].length);
  }
  return out;
}

function wikiList(lines: string[], key: string): ReactNode {
  // Lines start with a run of * or #; nesting follows the run length.
  interface Node {
    ordered: boolean;
    items: { text: string; children: Node | null }[];
  }
  const root: Node = { ordered: (lines[0] ?? '').startsWith('#'), items: [] };
  const stack: Node[] = [root];
  for (const line of lines) {
    const m = /^([*#-]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length;
    while (stack.length > depth) stack.pop();
    while (stack.length < depth) {
      const parent = stack[stack.length - 1] as Node;
      let last = parent.items[parent.items.length - 1];
      if (!last) {
        last = { text: '', children: null };
        parent.items.push(last);
      }
      last.children ??= { ordered: (m[1] ?? '').endsWith('#'), items: [] };
      stack.push(last.children);
    }
    (stack[stack.length - 1] as Node).items.push({ text: m[2] ?? '', children: null });
  }
  const render = (node: Node, k: string): ReactNode => {
    const items = node.items.map((it, i) => (
      // biome-ignore lint/suspicious/noArrayIndexKey: list items of static text.
      <li key={`${k}.${i}`}>
        {inline(it.text, `${k}.${i}`)}
        {it.children && render(it.children, `${k}.${i}c`)}
      </li>
    ));
    return node.ordered ? <ol key={k}>{items}</ol> : <ul key={k}>{items}</ul>;
  };
  return render(root, key);
}

function wikiTable(lines: string[], key: string): ReactNode {
  return (
    <table key={key} className="wiki-table">
      <tbody>
        {lines.map((line, r) => {
          const header = line.startsWith('||');
          const cells = line
            .replace(/^\|\|?/, '')
            .replace(/\|\|?\s*$/, '')
            .split(header ? '||' : '|');
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows of static text.
            <tr key={r}>
              {cells.map((c, i) =>
                header ? (
                  // biome-ignore lint/suspicious/noArrayIndexKey: cells of static text.
                  <th key={i}>{inline(c.trim(), `${key}.${r}.${i}`)}</th>
                ) : (
                  // biome-ignore lint/suspicious/noArrayIndexKey: cells of static text.
                  <td key={i}>{inline(c.trim(), `${key}.${r}.${i}`)}</td>
                ),
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function renderWiki(source: string): ReactNode[] {
  const out: ReactNode[] = [];
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  let para: string[] = [];
  const flush = () => {
    if (para.length) {
      const k = `p${out.length}`;
      out.push(
        <p key={k}>
          {para.map((l, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: lines of static text.
            <Fragment key={i}>
              {i > 0 && <br />}
              {inline(l, `${k}.${i}`)}
            </Fragment>
          ))}
        </p>,
      );
    }
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const block = /^\s*\{(code|noformat|quote)(?::[^}]*)?\}(.*)$/.exec(line);
    if (block) {
      flush();
      const tag = block[1] as string;
      const body: string[] = [];
      let rest = block[2] ?? '';
      const close = new RegExp(`\\{${tag}\\}`);
      for (;;) {
        const end = close.exec(rest);
        if (end) {
          body.push(rest.slice(0, end.index));
          const after = rest.slice(end.index + end[0].length);
          if (after.trim()) lines.splice(i + 1, 0, after);
          break;
        }
        body.push(rest);
        i++;
        if (i >= lines.length) break;
        rest = lines[i] ?? '';
      }
      const text = body.join('\n').replace(/^\n|\n$/g, '');
      const k = `b${out.length}`;
      out.push(
        tag === 'quote' ? (
          <blockquote key={k}>{renderWiki(text)}</blockquote>
        ) : (
          <pre key={k}>
            <code>{text}</code>
          </pre>
        ),
      );
      continue;
    }
    const heading = /^h([1-6])\.\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const k = `h${out.length}`;
      out.push(
        <p key={k} className={`wiki-h wiki-h${heading[1]}`}>
          <strong>{inline(heading[2] ?? '', k)}</strong>
        </p>,
      );
      continue;
    }
    if (/^bq\.\s/.test(line)) {
      flush();
      out.push(
        <blockquote key={`q${out.length}`}>{inline(line.slice(3).trim(), `q${out.length}`)}</blockquote>,
      );
      continue;
    }
    if (/^-{4,}\s*$/.test(line)) {
      flush();
      out.push(<hr key={`r${out.length}`} />);
      continue;
    }
    if (/^[*#]+\s/.test(line) || /^-\s/.test(line)) {
      flush();
      // One list per run of lines with the same top-level marker ("* a" then "# b" are two lists).
      const items: string[] = [];
      const marker = line.charAt(0);
      while (i < lines.length && /^([*#]+|-)\s/.test(lines[i] ?? '') && (lines[i] ?? '').charAt(0) === marker)
        items.push(lines[i++] ?? '');
      i--;
      out.push(wikiList(items, `l${out.length}`));
      continue;
    }
    if (/^\|/.test(line)) {
      flush();
      const rows: string[] = [];
      while (i < lines.length && /^\|/.test(lines[i] ?? '')) rows.push(lines[i++] ?? '');
      i--;
      out.push(wikiTable(rows, `t${out.length}`));
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    para.push(line);
  }
  flush();
  return out;
}

// ---- Atlassian Document Format -------------------------------------------------------------------

interface AdfNode {
  type?: string;
  text?: string;
  content?: AdfNode[];
  attrs?: Record<string, unknown>;
  marks?: { type?: string; attrs?: Record<string, unknown> }[];
}

const attr = (n: AdfNode, name: string): string | undefined => {
  const v = n.attrs?.[name];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
};

function adfText(n: AdfNode, key: string): ReactNode {
  let el: ReactNode = n.text ?? '';
  for (const mark of n.marks ?? []) {
    switch (mark.type) {
      case 'strong':
        el = <strong>{el}</strong>;
        break;
      case 'em':
        el = <em>{el}</em>;
        break;
      case 'code':
        el = <code>{el}</code>;
        break;
      case 'strike':
        el = <del>{el}</del>;
        break;
      case 'underline':
        el = <u>{el}</u>;
        break;
      case 'link': {
        const url = typeof mark.attrs?.href === 'string' ? mark.attrs.href : '';
        el = <ExtLink url={url}>{el}</ExtLink>;
        break;
      }
      default:
        break;
    }
  }
  return <Fragment key={key}>{el}</Fragment>;
}

function adf(nodes: AdfNode[] | undefined, key: string): ReactNode[] {
  return (nodes ?? []).map((n, i) => adfNode(n, `${key}.${i}`));
}

function adfNode(n: AdfNode, k: string): ReactNode {
  const kids = () => adf(n.content, k);
  switch (n.type) {
    case 'text':
      return adfText(n, k);
    case 'paragraph':
      return <p key={k}>{kids()}</p>;
    case 'heading':
      return (
        <p key={k} className="wiki-h">
          <strong>{kids()}</strong>
        </p>
      );
    case 'hardBreak':
      return <br key={k} />;
    case 'bulletList':
      return <ul key={k}>{kids()}</ul>;
    case 'orderedList':
      return <ol key={k}>{kids()}</ol>;
    case 'listItem':
      return <li key={k}>{kids()}</li>;
    case 'codeBlock':
      return (
        <pre key={k}>
          <code>{(n.content ?? []).map((c) => c.text ?? '').join('')}</code>
        </pre>
      );
    case 'blockquote':
    case 'panel':
      return <blockquote key={k}>{kids()}</blockquote>;
    case 'rule':
      return <hr key={k} />;
    case 'mention':
      return (
        <span key={k} className="mention">
          {attr(n, 'text') ?? '@user'}
        </span>
      );
    case 'emoji':
      return <Fragment key={k}>{attr(n, 'text') ?? attr(n, 'shortName') ?? ''}</Fragment>;
    case 'inlineCard':
    case 'blockCard': {
      const url = attr(n, 'url') ?? '';
      return (
        <ExtLink key={k} url={url}>
          {url}
        </ExtLink>
      );
    }
    case 'table':
      return (
        <table key={k} className="wiki-table">
          <tbody>{kids()}</tbody>
        </table>
      );
    case 'tableRow':
      return <tr key={k}>{kids()}</tr>;
    case 'tableHeader':
      return <th key={k}>{kids()}</th>;
    case 'tableCell':
      return <td key={k}>{kids()}</td>;
    case 'mediaSingle':
    case 'mediaGroup':
    case 'media':
      return (
        <span key={k} className="attachment">
          [attachment]
        </span>
      );
    default:
      return n.content ? (
        <Fragment key={k}>{kids()}</Fragment>
      ) : n.text ? (
        <Fragment key={k}>{n.text}</Fragment>
      ) : null;
  }
}

export function renderAdf(source: string): ReactNode[] {
  try {
    const doc = JSON.parse(source) as AdfNode;
    return doc && typeof doc === 'object' ? adf(doc.type === 'doc' ? doc.content : [doc], 'a') : [source];
  } catch {
    return [source];
  }
}

/** One upstream text by its declared format: `wiki`, `adf` or plain `text`. */
export function Markup({ body, format, className }: { body: string; format: string; className?: string }) {
  const cls = `markup ${className ?? ''}`.trim();
  if (format === 'wiki') return <div className={cls}>{renderWiki(body)}</div>;
  if (format === 'adf') return <div className={cls}>{renderAdf(body)}</div>;
  return <div className={`${cls} markup-text`}>{linkify(body)}</div>;
}

/** Search snippets arrive as escaped text with <mark> around matches: parse, never inject. */
export function Snippet({ html }: { html: string }) {
  const unescapeHtml = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#0?39;/g, "'")
      .replace(/&amp;/g, '&');
  const parts = html.split(/(<mark>[\s\S]*?<\/mark>)/g);
  return (
    <span className="snippet">
      {parts.map((p, i) =>
        p.startsWith('<mark>') ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: static text fragments.
          <mark key={i}>{unescapeHtml(p.slice(6, -7))}</mark>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: static text fragments.
          <Fragment key={i}>{unescapeHtml(p)}</Fragment>
        ),
      )}
    </span>
  );
}
