import canonicalize from 'canonicalize';
import { encodeNonFinite } from './numbers';

/**
 * RFC 8785 canonical JSON. Non-finite numbers are encoded first, so the
 * canonicalizer never sees a raw NaN (it would reject or mangle it).
 *
 * Every record and audit event passes through here, so plain JSON data (the
 * only thing records hold) takes a single-pass path that writes the same bytes
 * as `canonicalize(encodeNonFinite(value))` without the copy and without a
 * JavaScript loop over every character of every string. Anything else (class
 * instances, toJSON, functions, bigint) goes to the package as before.
 */
export function canonicalJson(value: unknown): string {
  const text = write(value);
  if (text === undefined) throw new Error('Value cannot be represented as canonical JSON');
  return text;
}

type WellFormed = { isWellFormed(): boolean };

/** What JSON.stringify escapes in a well-formed string. */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

function writeString(s: string): string {
  // The package rejects lone surrogates (JSON.stringify would escape them instead).
  if (!(s as unknown as WellFormed).isWellFormed()) throw new Error('Lone surrogate is not allowed');
  // Most keys, ids and hashes need no escape: quoting them is cheaper than a call into JSON.stringify.
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** Undefined where the package writes nothing (a function, a toJSON that returns undefined). */
function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return writeString(value);
    case 'number':
      // ECMAScript number-to-string is RFC 8785's number form (-0 is "0").
      return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(encodeNonFinite(value));
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          if (i > 0) out += ',';
          // The package joins what it writes: nothing written leaves an empty slot; in an object it writes "undefined".
          out += v === undefined || typeof v === 'symbol' ? 'null' : (write(v) ?? '');
        }
        return out + ']';
      }
      const proto: unknown = Object.getPrototypeOf(value);
      const o = value as Record<string, unknown>;
      if ((proto !== Object.prototype && proto !== null) || typeof o.toJSON === 'function') return slow(value);
      // Default sort compares UTF-16 code units, as RFC 8785 asks.
      const keys = Object.keys(o).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const v = o[key];
        if (v === undefined || typeof v === 'symbol') continue;
        out += (first ? '' : ',') + writeString(key) + ':' + String(write(v));
        first = false;
      }
      return out + '}';
    }
    default:
      return slow(value);
  }
}

/** The package's own answer for values that are not plain JSON data . */
function slow(value: unknown): string | undefined {
  return canonicalize(encodeNonFinite(value));
}
