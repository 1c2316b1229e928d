import { z } from 'zod';

/** UUIDv7: time-ordered, so ids sort by creation. */
export const RecordId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, { message: 'must be a UUIDv7 record id' });
export type RecordId = z.infer<typeof RecordId>;

/** Lowercase hex SHA-256 of the raw 32-byte Ed25519 public key. */
export const KeyId = z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be a 64-character lowercase hex key id' });
export type KeyId = z.infer<typeof KeyId>;

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be a lowercase hex SHA-256 digest' });
