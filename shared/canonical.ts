import canonicalize from 'canonicalize';
import { encodeNonFinite } from './numbers';

/**
 * RFC 8785 canonical JSON. Non-finite numbers are encoded first, so the
 * canonicalizer never sees a raw NaN (it would reject or mangle it).
 *
 * Every record and audit event passes through here, so plain JSON data (the
 * only thing records hold) takes a fast path: written by the runtime's own
 * JSON.stringify, whose string and number forms are the ones RFC 8785
 * prescribes, as it is when its keys are in RFC 8785 order already, else from a
 * copy with its keys in that order. It writes the same bytes as
 * `canonicalize(encodeNonFinite(value))`; anything else (class instances,
 * toJSON, functions, bigint, keys the runtime would reorder) goes to the package.
 */
export function canonicalJson(value: unknown): string {
  // Data parsed from canonical text (a bundle's 10,000 records and audit events,
  // checked on verify and ingest) has its keys in order already: no copy needed.
  if (inCanonicalOrder(value)) return JSON.stringify(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(sortedCopy(value));
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
    text = canonicalize(encodeNonFinite(value));
  }
  if (text === undefined) throw new Error('Value cannot be represented as canonical JSON');
  return text;
}

/** Plain JSON data whose keys JSON.stringify writes in RFC 8785 order, with nothing the canonical form writes otherwise. */
function inCanonicalOrder(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return (value as unknown as WellFormed).isWellFormed();
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (const v of value) if (!inCanonicalOrder(v)) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      const o = value as Record<string, unknown>;
      if (typeof o.toJSON === 'function') return false;
      // The keys first, so data in another order (a schema's output being stored) is told apart before its values are walked.
      const keys = Object.keys(o);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if ((i > 0 && !(key > keys[i - 1]!)) || INDEX_LIKE.test(key) || !(key as unknown as WellFormed).isWellFormed()) return false;
      }
      for (const key of keys) if (!inCanonicalOrder(o[key])) return false;
      return true;
    }
    default:
      return false;
  }
}

/** Thrown (never escapes) when a value needs the package; made once, as throwing it is not an error. */
class NotPlainData extends Error {}
const NOT_PLAIN = new NotPlainData('not plain JSON data');

/**
 * Keys an object iterates in numeric order whatever their insertion order
 * (array-index-like), so a sorted copy cannot hold them in UTF-16 order.
 */
const INDEX_LIKE = /^(?:0|[1-9]\d{0,9})$/;

type WellFormed = { isWellFormed(): boolean };

function checkedString(s: string): string {
  // The package rejects lone surrogates (JSON.stringify would escape them instead).
  if (!(s as unknown as WellFormed).isWellFormed()) throw new Error('Lone surrogate is not allowed');
  return s;
}

function sortedCopy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
      return checkedString(value);
    case 'number':
      return Number.isFinite(value) ? value : encodeNonFinite(value);
    case 'boolean':
    case 'undefined':
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const out: unknown[] = new Array(value.length);
        // Like the package, undefined and symbols in an array are written as null.
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          out[i] = typeof v === 'symbol' ? undefined : sortedCopy(v);
        }
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      const o = value as Record<string, unknown>;
      if ((proto !== Object.prototype && proto !== null) || typeof o.toJSON === 'function') throw NOT_PLAIN;
      // Default sort compares UTF-16 code units, as RFC 8785 asks. A null prototype keeps "__proto__" an ordinary key.
      const out = Object.create(null) as Record<string, unknown>;
      for (const key of Object.keys(o).sort()) {
        const v = o[key];
        if (v === undefined || typeof v === 'symbol') continue;
        if (INDEX_LIKE.test(key)) throw NOT_PLAIN;
        out[checkedString(key)] = sortedCopy(v);
      }
      return out;
    }
    default:
      throw NOT_PLAIN;
  }
}
