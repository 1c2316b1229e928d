import { z } from 'zod';

/**
 * Non-finite numbers survive JSON as these strings. Inspect logs use NaN for
 * "unscored", so they are data, not errors (DESIGN.md, "Numbers").
 */
export const NON_FINITE = ['NaN', 'Infinity', '-Infinity'] as const;
export type NonFiniteString = (typeof NON_FINITE)[number];

export function encodeNumber(n: number): number | NonFiniteString {
  if (Number.isFinite(n)) return n;
  if (Number.isNaN(n)) return 'NaN';
  return n > 0 ? 'Infinity' : '-Infinity';
}

export function decodeNumber(v: number | NonFiniteString): number {
  if (typeof v === 'number') return v;
  return v === 'NaN' ? Number.NaN : v === 'Infinity' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/** Deep copy with every non-finite number replaced by its string form. */
export function encodeNonFinite<T>(value: T): unknown {
  if (typeof value === 'number') return encodeNumber(value);
  if (Array.isArray(value)) return value.map((v: unknown) => encodeNonFinite(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = encodeNonFinite(v);
    return out;
  }
  return value;
}

/** JSON text with non-finite numbers written as strings (JSON itself has no NaN). */
export function stringifyJson(value: unknown, space?: number): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? encodeNumber(v) : v),
    space,
  );
}

/**
 * Schema for "a number" anywhere in records and API payloads: accepts a JSON
 * number, a raw non-finite number (IPC's structured clone keeps NaN), or the
 * string form, and yields a JS number.
 */
export const num = () =>
  z
    .union([
      z.custom<number>((v) => typeof v === 'number', { message: 'Expected a number' }),
      z.enum(NON_FINITE),
    ])
    .transform(decodeNumber);
