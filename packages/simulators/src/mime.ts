/**
 * Just enough MIME parsing for the SMTP sink: headers (unfolded, RFC 2047 decoded), and the
 * text/plain and text/html bodies of a single-part or multipart message (7bit, 8bit,
 * quoted-printable, base64). Nodemailer's output is all we need to read back.
 */

export interface ParsedMail {
  headers: Record<string, string>;
  text: string;
  html?: string;
}

function decodeWords(value: string): string {
  return value.replace(
    /=\?([^?]+)\?([BQbq])\?([^?]*)\?=(\s+(?==\?))?/g,
    (_m, charset: string, enc: string, data: string) => {
      const bytes =
        enc.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64')
          : Buffer.from(
              data
                .replaceAll('_', ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) =>
                  String.fromCharCode(Number.parseInt(h, 16)),
                ),
              'latin1',
            );
      return new TextDecoder(charset.toLowerCase() === 'utf-8' ? 'utf-8' : 'latin1').decode(bytes);
    },
  );
}

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = decodeWords(line.slice(colon + 1).trim());
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { headers, body };
}

function decodeBody(body: string, headers: Record<string, string>): string {
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const charset = /charset="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1]?.toLowerCase() ?? 'utf-8';
  let bytes: Buffer;
  if (encoding === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else if (encoding === 'quoted-printable') {
    const soft = body.replace(/=\r?\n/g, '');
    bytes = Buffer.from(
      soft.replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
      'latin1',
    );
  } else bytes = Buffer.from(body, encoding === '8bit' ? 'utf8' : 'latin1');
  return new TextDecoder(charset === 'utf-8' || charset === 'utf8' ? 'utf-8' : 'latin1')
    .decode(bytes)
    .replace(/\r\n/g, '\n');
}

function walk(raw: string, out: { text?: string; html?: string }): Record<string, string> {
  const { headers, body } = splitHeaders(raw);
  const type = (headers['content-type'] ?? 'text/plain').toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (type.startsWith('multipart/') && boundary) {
    const parts = body.split(`--${boundary}`).slice(1);
    for (const part of parts) {
      if (part.startsWith('--')) break;
      walk(part.replace(/^\r?\n/, ''), out);
    }
  } else if (type.startsWith('text/html')) out.html ??= decodeBody(body, headers);
  else if (type.startsWith('text/plain')) out.text ??= decodeBody(body, headers);
  return headers;
}

export function parseMail(raw: string): ParsedMail {
  const out: { text?: string; html?: string } = {};
  const headers = walk(raw, out);
  const mail: ParsedMail = { headers, text: (out.text ?? '').replace(/\n$/, '') };
  if (out.html !== undefined) mail.html = out.html;
  return mail;
}
