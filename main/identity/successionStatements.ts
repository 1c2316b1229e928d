/**
 * Key succession statements as signed bytes (shared/domain/keySuccession.ts):
 * made and signed here when a key is rotated or re-assigned, and read back
 * from a bundle by the verifier. The envelope is DSSE with the same
 * pre-authentication encoding as a bundle's, so `openssl pkeyutl -verify
 * -rawin` checks it too; the envelope and its payload are canonical JSON, so
 * a statement has one spelling and travels byte for byte.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical';
import { preAuthEncoding } from '../../shared/domain/bundle';
import {
  KEY_SUCCESSION_PAYLOAD_TYPE,
  KEY_SUCCESSION_TYPE,
  KeySuccessionEnvelope,
  KeySuccessionStatement,
  type SuccessionKind,
} from '../../shared/domain/keySuccession';
import { parsePublicKeyPem } from '../services/keys';

export type SuccessionInput = {
  kind: SuccessionKind;
  old: { key_id: string; public_key_pem: string };
  next: { key_id: string; public_key_pem: string };
  at: string;
};

/** A statement and its envelope text (canonical JSON), signed by `signer`. */
export function signSuccession(input: SuccessionInput, signingKey: KeyObject, signerKeyId: string): { statement: KeySuccessionStatement; envelope: string } {
  const statement = KeySuccessionStatement.parse({
    _type: KEY_SUCCESSION_TYPE,
    kind: input.kind,
    old_key_id: input.old.key_id,
    old_public_key_pem: input.old.public_key_pem,
    new_key_id: input.next.key_id,
    new_public_key_pem: input.next.public_key_pem,
    at: input.at,
  });
  const payload = Buffer.from(canonicalJson(statement), 'utf8');
  const sig = sign(null, preAuthEncoding(KEY_SUCCESSION_PAYLOAD_TYPE, payload), signingKey);
  const envelope: KeySuccessionEnvelope = {
    payloadType: KEY_SUCCESSION_PAYLOAD_TYPE,
    payload: payload.toString('base64'),
    signatures: [{ keyid: signerKeyId, sig: sig.toString('base64') }],
  };
  return { statement, envelope: canonicalJson(envelope) };
}

/** A statement read back: what it says, who signed it, and what to check the signature with. */
export type ParsedSuccession = {
  statement: KeySuccessionStatement;
  signedBy: string;
  /** The envelope, canonical JSON, as it travels. */
  envelope: string;
  oldPublicKey: KeyObject;
  newPublicKey: KeyObject;
  /** Whether the signature verifies with `publicKey` (the old key's for a rotation, the issuer's for a re-assignment). */
  verifiesWith(publicKey: KeyObject): boolean;
};

/**
 * Reads an envelope's text: canonical JSON, the schema, strict base64, a
 * canonical payload, and public keys that match the key ids they stand beside.
 * Returns the reason, completing "has a key statement that …", when it is not one.
 */
export function parseSuccession(text: string): ParsedSuccession | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  const envelope = KeySuccessionEnvelope.safeParse(value);
  if (!envelope.success) return 'is not a key statement envelope';
  if (canonicalJson(value) !== text) return 'is not written as canonical JSON';
  const payload = Buffer.from(envelope.data.payload, 'base64');
  const signature = envelope.data.signatures[0]!;
  const sig = Buffer.from(signature.sig, 'base64');
  if (payload.toString('base64') !== envelope.data.payload || sig.toString('base64') !== signature.sig || sig.length !== 64) return 'is not in canonical base64';
  let payloadValue: unknown;
  try {
    payloadValue = JSON.parse(payload.toString('utf8'));
  } catch {
    return 'does not hold a JSON statement';
  }
  const statement = KeySuccessionStatement.safeParse(payloadValue);
  if (!statement.success || canonicalJson(payloadValue) !== payload.toString('utf8')) return 'does not hold a key succession statement in canonical JSON';
  const s = statement.data;
  let oldKey, newKey;
  try {
    oldKey = parsePublicKeyPem(s.old_public_key_pem);
    newKey = parsePublicKeyPem(s.new_public_key_pem);
  } catch {
    return 'holds a public key that cannot be read';
  }
  if (oldKey.keyId !== s.old_key_id || newKey.keyId !== s.new_key_id) return 'names a key id that is not the hash of the public key beside it';
  if (s.old_key_id === s.new_key_id) return 'names the same key as old and new';
  const pae = preAuthEncoding(KEY_SUCCESSION_PAYLOAD_TYPE, payload);
  return {
    statement: s,
    signedBy: signature.keyid,
    envelope: text,
    oldPublicKey: oldKey.publicKey,
    newPublicKey: newKey.publicKey,
    verifiesWith: (publicKey) => verify(null, pae, publicKey, sig),
  };
}
