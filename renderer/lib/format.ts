/** Display helpers. Calendar dates are dates, not instants: format them in UTC so no zone shifts the day. */

const dateFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const timestampFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatCalendarDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return date;
  return dateFormat.format(new Date(Date.UTC(y, m - 1, d)));
}

/** An RFC 3339 timestamp in the reader's own zone. */
export function formatTimestamp(ts: string): string {
  const t = new Date(ts);
  return Number.isNaN(t.getTime()) ? ts : timestampFormat.format(t);
}

/** The first 16 hex digits of a key id, in groups of four: enough to tell keys apart at a glance. */
export function shortKey(keyId: string): string {
  return (keyId.slice(0, 16).match(/.{4}/g) ?? []).join(' ');
}
