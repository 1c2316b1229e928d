/**
 * The signed part of a bundle: the in-toto Statement v1 over every other entry,
 * wrapped in a DSSE envelope signed with Ed25519 over the pre-authentication
 * encoding (DESIGN.md; checked against `openssl pkeyutl -verify -rawin`).
 * The verifier (verifyBundle.ts) imports these helpers so both sides build the
 * same bytes.
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical';
import { PAYLOAD_TYPE, PREDICATE_TYPE, STATEMENT_TYPE, preAuthEncoding, type DsseEnvelope, type Statement, type Subject } from '../../shared/domain/bundle';

/** Subjects sorted by name (names are ASCII, so code-unit order is byte order). */
export function sortSubjects(subjects: readonly Subject[]): Subject[] {
  return [...subjects].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The bundle id: SHA-256 of the canonical JSON of the sorted subject list of the
 * content entries, i.e. every entry except bundle.json and bundle.dsse.json
 * (bundle.json holds the id, so it cannot be part of what the id hashes).
 */
export function bundleIdOf(contentSubjects: readonly Subject[]): string {
  return createHash('sha256').update(canonicalJson(sortSubjects(contentSubjects))).digest('hex');
}

/** The statement over every entry but the envelope (bundle.json included), sorted by name. */
export function makeStatement(subjects: readonly Subject[], bundleId: string): Statement {
  return { _type: STATEMENT_TYPE, subject: sortSubjects(subjects), predicateType: PREDICATE_TYPE, predicate: { bundle_id: bundleId } };
}

/** The payload bytes: the statement's canonical JSON, UTF-8. */
export function statementPayload(statement: Statement): Buffer {
  return Buffer.from(canonicalJson(statement), 'utf8');
}

/** Signs the payload; the key is a parsed KeyObject (parsing a PEM per signature is 11x slower). */
export function signEnvelope(payload: Uint8Array, signingKey: KeyObject, keyId: string): DsseEnvelope {
  const sig = sign(null, preAuthEncoding(PAYLOAD_TYPE, payload), signingKey);
  return { payloadType: PAYLOAD_TYPE, payload: Buffer.from(payload).toString('base64'), signatures: [{ keyid: keyId, sig: sig.toString('base64') }] };
}

/** bundle.dsse.json's bytes: the envelope's canonical JSON. */
export function envelopeBytes(envelope: DsseEnvelope): Buffer {
  return Buffer.from(canonicalJson(envelope), 'utf8');
}
