import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markup, Snippet } from '../../src/ui/components/markup.js';

// Upstream text is rendered as React elements, never as HTML: markup becomes elements, everything
// else stays text, and only http(s)/mailto links survive.

const render = (body: string, format: string) =>
  renderToStaticMarkup(createElement(Markup, { body, format }));

const PAYLOADS = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=2">',
  '<a href="javascript:alert(1)">x</a>',
  '<svg onload=alert(1)>',
];

describe('markup renderer', () => {
  it.each(['wiki', 'text', 'adf'])('renders HTML payloads in %s bodies as inert text', (format) => {
    for (const p of PAYLOADS) {
      const body =
        format === 'adf'
          ? JSON.stringify({
              type: 'doc',
              content: [{ type: 'paragraph', content: [{ type: 'text', text: p }] }],
            })
          : `before ${p} after`;
      const html = render(body, format);
      expect(html).not.toMatch(/<(script|img|svg)\b/i);
      expect(html).not.toMatch(/<a [^>]*href="javascript:/i);
      expect(html).toContain('&lt;');
    }
  });

  it('drops links whose scheme is not http(s) or mailto, in wiki and ADF', () => {
    const wiki = render('[click|javascript:window.__xss=3] and [data|data:text/html,<b>x</b>]', 'wiki');
    expect(wiki).not.toContain('href');
    expect(wiki).toContain('click');
    const adf = render(
      JSON.stringify({
        type: 'doc',
        content: [
          {
            type: 'paragraph',
            content: [
              {
                type: 'text',
                text: 'evil',
                marks: [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }],
              },
            ],
          },
        ],
      }),
      'adf',
    );
    expect(adf).not.toContain('href');
    expect(adf).toContain('evil');
  });

  it('renders JIRA wiki markup: emphasis, links, code, lists, tables, quotes', () => {
    const html = render(
      [
        'h3. Status',
        '*Update:* see [the errata|https://access.redhat.com/errata/RHBA-1] and _soon_ {{oc get nodes}}',
        '* first',
        '** nested',
        '# one',
        '||Node||State||',
        '|worker-0|NotReady|',
        '{code:bash}',
        'echo <b>not bold</b>',
        '{code}',
        'bq. quoted',
        'ping [~jdoe] at https://example.com/x.',
      ].join('\n'),
      'wiki',
    );
    expect(html).toContain('<strong>Update:</strong>');
    expect(html).toContain(
      '<a href="https://access.redhat.com/errata/RHBA-1" target="_blank" rel="noopener noreferrer">the errata</a>',
    );
    expect(html).toContain('<em>soon</em>');
    expect(html).toContain('<code>oc get nodes</code>');
    expect(html).toMatch(/<ul><li>first<ul><li>nested<\/li><\/ul><\/li><\/ul>/);
    expect(html).toContain('<ol><li>one</li></ol>');
    expect(html).toContain('<th>Node</th>');
    expect(html).toContain('<td>NotReady</td>');
    expect(html).toContain('<pre><code>echo &lt;b&gt;not bold&lt;/b&gt;</code></pre>');
    expect(html).toContain('<blockquote>quoted</blockquote>');
    expect(html).toContain('@jdoe');
    // The sentence's full stop is not part of the link.
    expect(html).toContain('href="https://example.com/x"');
  });

  it('renders ADF documents: paragraphs, marks, lists, code blocks, mentions', () => {
    const doc = {
      type: 'doc',
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'bold', marks: [{ type: 'strong' }] },
            { type: 'hardBreak' },
            { type: 'mention', attrs: { text: '@Aiko' } },
          ],
        },
        {
          type: 'bulletList',
          content: [
            { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'item' }] }] },
          ],
        },
        { type: 'codeBlock', content: [{ type: 'text', text: 'oc adm must-gather' }] },
      ],
    };
    const html = render(JSON.stringify(doc), 'adf');
    expect(html).toContain('<p><strong>bold</strong><br/><span class="mention">@Aiko</span></p>');
    expect(html).toContain('<ul><li><p>item</p></li></ul>');
    expect(html).toContain('<pre><code>oc adm must-gather</code></pre>');
    // Not JSON: shown as the text it is.
    expect(render('{not json', 'adf')).toContain('{not json');
  });

  it('keeps plain text as text with clickable URLs', () => {
    const html = render(
      'see https://access.redhat.com/support/cases/#/case/03300523, thanks\n*not bold*',
      'text',
    );
    expect(html).toContain('href="https://access.redhat.com/support/cases/#/case/03300523"');
    expect(html).toContain('*not bold*');
  });

  it('parses search snippets: only <mark> becomes an element', () => {
    const html = renderToStaticMarkup(
      createElement(Snippet, { html: 'a &lt;script&gt;x&lt;/script&gt; <mark>ptp4l</mark> &amp; more' }),
    );
    expect(html).toBe(
      '<span class="snippet">a &lt;script&gt;x&lt;/script&gt; <mark>ptp4l</mark> &amp; more</span>',
    );
  });
});
