/**
 * Key succession statements (issue 7): how an author's identity outlives one
 * key. An author is a chain of keys; each link is a statement naming the old
 * key and the new one, in a DSSE envelope signed with Ed25519 over the same
 * pre-authentication encoding as a bundle, so `openssl pkeyutl -verify -rawin`
 * checks it with the signer's public key alone.
 *
 * - rotation: signed by the OLD key (its holder hands over to the new key);
 *   anyone holding the old public key can check it. The statement carries the
 *   old public key too, so the signature can be checked against the key id
 *   even where that key is not trusted.
 * - reassignment: signed by a supervisor's key, for a key that was lost (its
 *   holder cannot sign any more). Only peers who trust that supervisor's key
 *   with the supervisor role accept it.
 *
 * A bundle carries the statements of its signer's chain, and the
 * re-assignments its signer issued, as `keys/<old key id>.dsse.json`.
 */
import { z } from 'zod';
import { Timestamp } from '../dates';
import { KeyId } from './ids';

export const KEY_SUCCESSION_TYPE = 'urn:evalnotes:key-succession:v1';
/** The DSSE payload type of a succession statement (a bundle's is application/vnd.in-toto+json). */
export const KEY_SUCCESSION_PAYLOAD_TYPE = 'application/vnd.evalnotes.key-succession+json';

export const SuccessionKind = z.enum(['rotation', 'reassignment']);
export type SuccessionKind = z.infer<typeof SuccessionKind>;

const Pem = z.string().min(1).max(1000);

/** The signed payload (canonical JSON). Who signed it is the envelope's keyid. */
export const KeySuccessionStatement = z.strictObject({
  _type: z.literal(KEY_SUCCESSION_TYPE),
  kind: SuccessionKind,
  old_key_id: KeyId,
  old_public_key_pem: Pem,
  new_key_id: KeyId,
  new_public_key_pem: Pem,
  /** When it was issued (the issuer's clock). */
  at: Timestamp,
});
export type KeySuccessionStatement = z.infer<typeof KeySuccessionStatement>;

export const KeySuccessionEnvelope = z.strictObject({
  payloadType: z.literal(KEY_SUCCESSION_PAYLOAD_TYPE),
  payload: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, { message: 'must be standard base64' }),
  signatures: z.array(z.strictObject({ keyid: KeyId, sig: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/) })).length(1),
});
export type KeySuccessionEnvelope = z.infer<typeof KeySuccessionEnvelope>;

/** The bundle entry of the statement that replaces `oldKeyId` (a key has at most one successor). */
export const keyStatementEntry = (oldKeyId: string) => `keys/${oldKeyId}.dsse.json`;
/** As it sits in bundle.ts's ENTRY_NAME (a verifier refuses any other name). */
export const KEY_STATEMENT_ENTRY_PATTERN = String.raw`keys/[0-9a-f]{64}\.dsse\.json`;
export const KEY_STATEMENT_ENTRY = /^keys\/([0-9a-f]{64})\.dsse\.json$/;

/** A succession as the Keys page shows it. */
export const SuccessionLink = z.strictObject({
  key_id: KeyId,
  kind: SuccessionKind,
  at: Timestamp,
  /** The key that signed the statement: the old key for a rotation, a supervisor's for a re-assignment. */
  signed_by: KeyId,
});
export type SuccessionLink = z.infer<typeof SuccessionLink>;
