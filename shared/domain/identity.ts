import { z } from 'zod';
import { KeyId } from './ids';
import { Name } from './text';

export const Role = z.enum(['evaluator', 'supervisor']);
export type Role = z.infer<typeof Role>;

export const Passphrase = z
  .string()
  .min(12, { message: 'must be at least 12 characters' })
  .max(1024, { message: 'must be at most 1024 characters' });

export const IdentityInput = z.strictObject({
  name: Name(),
  org: Name(),
  role: Role,
  passphrase: Passphrase,
});
export type IdentityInput = z.infer<typeof IdentityInput>;

/** The public half of a workspace's identity. */
export const Identity = z.strictObject({
  name: z.string(),
  org: z.string(),
  role: Role,
  key_id: KeyId,
  /** Short, read-aloud form of the key id: eight groups of four hex digits. */
  fingerprint: z.string(),
  public_key_pem: z.string(),
  created_at: z.string(),
  /**
   * Keys this identity used before (key rotation, or a supervisor's
   * re-assignment of a lost key), newest first; absent when there are none.
   * Records written under them are still this identity's own.
   */
  former_key_ids: z.array(KeyId).optional(),
});
export type Identity = z.infer<typeof Identity>;

export function fingerprintOf(keyId: string): string {
  return (keyId.slice(0, 32).match(/.{4}/g) ?? []).join(' ');
}

/** The file name a public key is exported under: whose it is and which key, e.g. "ada-lovelace-3f9c2a1b.pub". */
export function publicKeyFileName(identity: Pick<Identity, 'name' | 'key_id'>): string {
  const slug = identity.name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'evalnotes-key'}-${identity.key_id.slice(0, 8)}.pub`;
}
