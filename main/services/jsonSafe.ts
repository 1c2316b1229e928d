import type { JsonValue } from '../../shared/domain/json';

/**
 * A JSON-safe deep copy of parsed log data: undefined and functions dropped,
 * numbers kept as they are (NaN and ±Infinity are data: the codec writes them).
 */
export function jsonSafe(value: unknown, depth = 0): JsonValue {
  if (depth > 64) return null;
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : jsonSafe(v, depth + 1)));
  if (typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = jsonSafe(v, depth + 1);
    return out;
  }
  return null;
}

export function jsonObject(value: unknown): Record<string, JsonValue> {
  const safe = jsonSafe(value);
  return safe !== null && typeof safe === 'object' && !Array.isArray(safe) ? safe : {};
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** A one-line label from log data: control characters folded, bounded, never empty. */
export function oneLineName(value: unknown, fallback: string, max = 500): string {
  const text = typeof value === 'string' ? value.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim() : '';
  return (text || fallback).slice(0, max);
}

/** Text bounded to `max` UTF-16 units without splitting a surrogate pair. */
export function bounded(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return { text: text.slice(0, end), cut: true };
}

/** RFC 3339 UTC with milliseconds, or undefined for anything that is not a time. */
export function utcTimestamp(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Multi-line text from log data (an error message): control characters other than line breaks and tabs dropped, bounded. */
export function cleanText(text: string, max: number): string {
  return bounded(text.replace(CONTROL_EXCEPT_LINES, ''), max).text;
}
