import canonicalize from 'canonicalize';
import { encodeNonFinite } from './numbers';

/**
 * RFC 8785 canonical JSON. Non-finite numbers are encoded first, so the
 * canonicalizer never sees a raw NaN (it would reject or mangle it).
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(encodeNonFinite(value));
  if (text === undefined) throw new Error('Value cannot be represented as canonical JSON');
  return text;
}
