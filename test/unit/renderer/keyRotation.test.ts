/** Whose records a workspace may edit after a key rotation: its current key's and its former keys'. */
import { describe, expect, it } from 'vitest';
import type { TrustedKey } from '../../../shared/domain/bundle';
import { describeAuthor, isOwnKey, readOnlyReason } from '../../../renderer/features/keys/authors';

const NEW = 'a'.repeat(64);
const OLD = 'b'.repeat(64);
const BEN = 'c'.repeat(64);
// After a rotation the old key sits in the trust store under the workspace's own name.
const store: TrustedKey[] = [
  { key_id: OLD, name: 'Ada Lovelace', role: 'evaluator', public_key_pem: '-', trusted_at: '2026-03-12T10:00:00.000Z', untrusted_at: null, succeeded_by: { key_id: NEW, kind: 'rotation', at: '2026-03-12T10:00:00.000Z', signed_by: OLD } },
  { key_id: BEN, name: 'Ben Carter', role: 'evaluator', public_key_pem: '-', trusted_at: '2026-03-12T10:00:00.000Z', untrusted_at: null },
];

describe('own keys after a rotation', () => {
  it('treats records under a former key as the workspace’s own, and nobody else’s', () => {
    const own = { key_id: NEW, former_key_ids: [OLD] };
    expect(isOwnKey(own, NEW)).toBe(true);
    expect(isOwnKey(own, OLD)).toBe(true);
    expect(isOwnKey(own, BEN)).toBe(false);
    expect(isOwnKey({ key_id: NEW }, OLD)).toBe(false);
    expect(isOwnKey(null, NEW)).toBe(false);
    expect(describeAuthor(OLD, own, store)).toEqual({ kind: 'you' });
    expect(readOnlyReason(describeAuthor(OLD, own, store), 'finding')).toBeNull();
    expect(describeAuthor(BEN, own, store)).toEqual({ kind: 'trusted', name: 'Ben Carter', role: 'evaluator' });
  });
});
