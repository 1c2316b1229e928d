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

/**
 * A measured value as people read it. Non-finite values are data (NaN is
 * "unscored" in Inspect) and are shown as such, never as 0 or a blank.
 * Values of 1 and above keep up to 4 decimals; smaller ones 4 significant digits.
 */
export function formatMeasure(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '∞';
  if (n === Number.NEGATIVE_INFINITY) return '−∞';
  if (Number.isInteger(n)) return String(n);
  const rounded = Math.abs(n) >= 1 ? Number(n.toFixed(4)) : Number(n.toPrecision(4));
  return String(rounded);
}

/** The full value, for a title or a copy: what formatMeasure may have rounded. */
export function exactMeasure(n: number): string {
  return Number.isFinite(n) ? String(n) : formatMeasure(n);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** The first 12 hex digits of a SHA-256: enough to recognise a file. */
export function shortSha(sha256: string): string {
  return sha256.slice(0, 12);
}

/** "3 seconds", "15 minutes", "1 hour": a span as a person would say it (whole units, else the next smaller). */
export function formatSpan(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds % 3600 === 0 && seconds > 0) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0 && seconds > 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

/** "3 samples", "1 sample". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
