/**
 * A public key file as the Trust dialog reads it, before anything is sent to
 * main: its key id and read-aloud fingerprint, so the person can check them
 * with the key's owner first (the whole point of a fingerprint). main parses
 * the key again and is the judge; this only shows what the file claims.
 */
import { fingerprintOf } from '../../../shared/domain/identity';

/** SPKI DER of an Ed25519 public key: this 12-byte header, then the 32-byte raw key (RFC 8410). */
const ED25519_SPKI_HEADER = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/** The most a public key file may hold (the contract takes at most 1,000 characters of PEM). */
export const MAX_PUBLIC_KEY_CHARS = 1000;

/** The raw 32-byte Ed25519 key inside a PEM "PUBLIC KEY" block, or null if the text is not one. */
export function rawEd25519Key(pem: string): Uint8Array<ArrayBuffer> | null {
  const m = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/.exec(pem);
  if (!m?.[1]) return null;
  let der: Uint8Array<ArrayBuffer>;
  try {
    der = Uint8Array.from(atob(m[1].replace(/\s+/g, '')), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
  if (der.length !== ED25519_SPKI_HEADER.length + 32) return null;
  if (!ED25519_SPKI_HEADER.every((b, i) => der[i] === b)) return null;
  return der.slice(ED25519_SPKI_HEADER.length);
}

/** Key id = lowercase hex SHA-256 of the raw public key (DESIGN.md, "Identity and keys"). */
export async function keyIdOfPem(pem: string): Promise<string | null> {
  const raw = rawEd25519Key(pem);
  if (!raw) return null;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', raw));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the Trust dialog shows about a chosen file: its fingerprint, or why it cannot be a key. */
export async function readPublicKeyText(text: string): Promise<{ ok: true; pem: string; keyId: string; fingerprint: string } | { ok: false; message: string }> {
  if (text.length > MAX_PUBLIC_KEY_CHARS) return { ok: false, message: 'That file is too large to be a public key; choose the .pub file its owner exported.' };
  if (/PRIVATE KEY/.test(text)) return { ok: false, message: 'That is a private key: never share it. Choose the public key (.pub) instead.' };
  const keyId = await keyIdOfPem(text);
  if (!keyId) return { ok: false, message: 'That is not an Ed25519 public key in PEM form; choose the .pub file EvalNotes exported.' };
  return { ok: true, pem: text, keyId, fingerprint: fingerprintOf(keyId) };
}
