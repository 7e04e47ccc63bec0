import type { FastifyReply } from 'fastify';

// The few pages of the sign-in flow that must work without the app (and without a session): the
// provider cannot be reached, access denied, signed out. Plain HTML, no script.

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function sendPage(
  reply: FastifyReply,
  status: number,
  page: { title: string; lines: string[]; link?: { href: string; label: string } },
) {
  const body = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)} · t5g</title>`,
    '<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}',
    'a.button{display:inline-block;margin-top:1rem;padding:.5rem 1rem;background:#06c;color:#fff;border-radius:4px;text-decoration:none}</style>',
    `</head><body><main><h1>${escapeHtml(page.title)}</h1>`,
    ...page.lines.map((l) => `<p>${escapeHtml(l)}</p>`),
    page.link
      ? `<a class="button" href="${escapeHtml(page.link.href)}">${escapeHtml(page.link.label)}</a>`
      : '',
    '</main></body></html>',
  ].join('');
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    )
    .send(body);
}
