/**
 * Who wrote a record, as people read it (DESIGN.md, "Ownership instead of merge
 * conflicts": records from others are read-only and show their author). The
 * record carries only a key id; the trust store gives it a name and a role.
 */
import type { TrustedKey } from '../../../shared/domain/bundle';
import type { Identity, Role } from '../../../shared/domain/identity';

export type Author =
  | { kind: 'you' }
  | { kind: 'trusted'; name: string; role: Role }
  /** Trusted once, untrusted since: what it signed before stays, flagged. */
  | { kind: 'untrusted'; name: string; role: Role; since: string }
  /** A key this workspace has never trusted (the records came some other way). */
  | { kind: 'unknown' };

export const UNTRUSTED_FLAG = 'signed by a key no longer trusted';

/** Whether `keyId` is this workspace's key, current or former (a rotated or re-assigned one): its records are yours to edit. */
export function isOwnKey(own: Pick<Identity, 'key_id' | 'former_key_ids'> | null | undefined, keyId: string | undefined): boolean {
  return !!own && keyId !== undefined && (own.key_id === keyId || (own.former_key_ids?.includes(keyId) ?? false));
}

export function describeAuthor(keyId: string, own: Pick<Identity, 'key_id' | 'former_key_ids'> | null | undefined, trusted: readonly TrustedKey[]): Author {
  if (isOwnKey(own, keyId)) return { kind: 'you' };
  const k = trusted.find((t) => t.key_id === keyId);
  if (!k) return { kind: 'unknown' };
  if (k.untrusted_at !== null) return { kind: 'untrusted', name: k.name, role: k.role, since: k.untrusted_at };
  return { kind: 'trusted', name: k.name, role: k.role };
}

/** One line: "you", "Ada Lovelace (evaluator)", "Ada Lovelace (evaluator), signed by a key no longer trusted", "an unknown key". */
export function authorText(a: Author): string {
  switch (a.kind) {
    case 'you':
      return 'you';
    case 'trusted':
      return `${a.name} (${a.role})`;
    case 'untrusted':
      return `${a.name} (${a.role}), ${UNTRUSTED_FLAG}`;
    case 'unknown':
      return 'an unknown key';
  }
}

/**
 * Why someone cannot edit a record here, one sentence; null for their own.
 * `what` names the record ("finding", "engagement").
 */
export function readOnlyReason(a: Author, what: string): string | null {
  switch (a.kind) {
    case 'you':
      return null;
    case 'trusted':
      return `Read-only: ${a.name} (${a.role}) wrote this ${what}, and only its author can change it; it came into this workspace in their signed bundle.`;
    case 'untrusted':
      return `Read-only: ${a.name} (${a.role}) wrote this ${what}, and only its author can change it. Their key is no longer trusted, so treat it with care.`;
    case 'unknown':
      return `Read-only: this ${what} was written by a key that is not in your trusted keys, and only its author can change it.`;
  }
}
