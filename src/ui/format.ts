// Dates and numbers as the dashboard shows them. Dates are UTC like the original ("… UTC").

export function day(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '---';
}

export function dateTime(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : '---';
}

/** "2 min ago", "3 h ago", "5 days ago". */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  const d = Math.round(s / 86_400);
  return `${d} day${d === 1 ? '' : 's'} ago`;
}

export function number(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined) return '---';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export const dash = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '---' : v);

/** CSS-class-safe slug: "Ready To Close" → "ready-to-close". */
export const slug = (v: string) =>
  v
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
