// Atlassian Document Format (JIRA Cloud v3 rich text) to plain text, and plain text to ADF.
//
// Only text leaves this module: marks (bold, colour…) are dropped, links keep their target as "text (url)",
// mentions become "@name". The dashboard escapes whatever it shows, so no markup from JIRA can reach a page as
// HTML. Unknown node types fall back to their children's text, so a new ADF node never loses content.

interface AdfNode {
  type?: unknown;
  text?: unknown;
  content?: unknown;
  attrs?: Record<string, unknown>;
  marks?: unknown;
}

const BLOCK_SEPARATOR = '\n\n';

/** Plain text of an ADF document; a string (wiki markup from v2 / DC) is returned unchanged. */
export function adfToText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (!isNode(body)) return '';
  return render(body, 0)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function isNode(value: unknown): value is AdfNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function children(node: AdfNode): AdfNode[] {
  return Array.isArray(node.content) ? node.content.filter(isNode) : [];
}

const str = (value: unknown) => (typeof value === 'string' ? value : '');

function render(node: AdfNode, depth: number): string {
  const inner = (separator = '') =>
    children(node)
      .map((child) => render(child, depth))
      .join(separator);
  switch (node.type) {
    case 'text':
      return renderText(node);
    case 'hardBreak':
      return '\n';
    case 'mention': {
      const label = str(node.attrs?.text) || str(node.attrs?.id);
      return label.startsWith('@') ? label : `@${label}`;
    }
    case 'emoji':
      return str(node.attrs?.text) || str(node.attrs?.shortName);
    case 'inlineCard':
    case 'blockCard':
    case 'embedCard':
      return str(node.attrs?.url);
    case 'date': {
      const ms = Number(node.attrs?.timestamp);
      return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : '';
    }
    case 'status':
      return str(node.attrs?.text);
    case 'media':
    case 'mediaInline':
      return '[attachment]';
    case 'rule':
      return '----';
    case 'paragraph':
    case 'heading':
      return inner();
    case 'codeBlock':
      return inner();
    case 'bulletList':
    case 'orderedList':
    case 'taskList':
    case 'decisionList':
      return children(node)
        .map((item, index) => {
          const marker = node.type === 'orderedList' ? `${index + 1}. ` : '- ';
          const text = render(item, depth + 1).replace(/\n/g, `\n${'  '.repeat(depth + 1)}`);
          return `${'  '.repeat(depth)}${marker}${text}`;
        })
        .join('\n');
    case 'listItem':
    case 'taskItem':
    case 'decisionItem':
      return children(node)
        .map((child) => render(child, depth))
        .join('\n');
    case 'blockquote':
      return inner(BLOCK_SEPARATOR)
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n');
    case 'table':
      return inner('\n');
    case 'tableRow':
      return children(node)
        .map((cell) => render(cell, depth).replace(/\s*\n\s*/g, ' '))
        .join(' | ');
    case 'doc':
    case 'panel':
    case 'expand':
    case 'nestedExpand':
    case 'layoutSection':
    case 'layoutColumn':
    case 'tableCell':
    case 'tableHeader':
    case 'mediaSingle':
    case 'mediaGroup':
      return inner(BLOCK_SEPARATOR);
    default:
      if (typeof node.text === 'string') return node.text;
      return inner(BLOCK_SEPARATOR);
  }
}

function renderText(node: AdfNode): string {
  const text = str(node.text);
  const marks = Array.isArray(node.marks) ? node.marks.filter(isNode) : [];
  const link = marks.find((mark) => mark.type === 'link');
  const href = str(link?.attrs?.href);
  return href && href !== text ? `${text} (${href})` : text;
}

/** Plain text as an ADF document: blank lines separate paragraphs, single newlines become hard breaks. */
export function textToAdf(text: string): { type: 'doc'; version: 1; content: unknown[] } {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .filter((p) => p.trim() !== '');
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((paragraph) => ({
      type: 'paragraph',
      content: paragraph
        .split('\n')
        .flatMap((line, i) => [
          ...(i > 0 ? [{ type: 'hardBreak' }] : []),
          ...(line ? [{ type: 'text', text: line }] : []),
        ]),
    })),
  };
}
