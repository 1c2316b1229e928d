import { z } from 'zod';
import { KeyId, RecordId, Sha256Hex } from './ids';
import { RecordType } from './record';

/** 'ingest': this workspace stored a revision another key authored, from a verified bundle. */
export const AuditAction = z.enum(['create', 'update', 'delete', 'confirm', 'ingest']);

/**
 * One audit event body. Its canonical JSON is hashed on its own, and the chain
 * links those body hashes: hash_i = SHA-256(hash_{i-1} ‖ SHA-256(canonical(body_i))),
 * with hash_0 = 32 zero bytes. The random salt makes a withheld body unguessable.
 */
export const AuditEventBody = z.strictObject({
  seq: z.number().int().min(1),
  at: z.string(),
  actor: KeyId,
  action: AuditAction,
  entity: RecordType,
  id: RecordId,
  revision: z.number().int().min(1),
  record_hash: Sha256Hex,
  salt: z.string().regex(/^[0-9a-f]{32}$/),
});
export type AuditEventBody = z.infer<typeof AuditEventBody>;

export const AuditReport = z.strictObject({
  ok: z.boolean(),
  events: z.number().int(),
  head: Sha256Hex.nullable(),
  /** The first broken link, in one sentence, when ok is false. */
  problem: z
    .strictObject({ seq: z.number().int().nullable(), message: z.string() })
    .nullable(),
});
export type AuditReport = z.infer<typeof AuditReport>;
