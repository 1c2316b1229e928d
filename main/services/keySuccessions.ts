/**
 * Key rotation and lost-key re-assignment (issue 7): an author is a chain of
 * keys, linked by signed statements (shared/domain/keySuccession.ts).
 *
 * - rotateOwnKey: the workspace's signing key is replaced by a new one; the OLD
 *   key signs the statement naming the new one, and its private half is gone
 *   from the workspace afterwards (Workspace.rotateSigningKey). The old key
 *   stays in the trust store under this identity's name and role, so bundles
 *   it signed before still verify here and what it wrote keeps a name.
 * - reassignLostKey: a supervisor names a new key for a trusted key whose
 *   holder lost it; the statement is signed by the supervisor's key. The lost
 *   key's bundles are refused from then on (workspaceTrust answers "lost"),
 *   while what it signed before stays, unflagged: it is still its author's.
 * - applySuccessions: what an ingest learns from a verified bundle's
 *   statements (main/bundles/keyChain.ts decides which hold): each is stored,
 *   and its new key is trusted with the old key's name and role when the old
 *   key is trusted here.
 *
 * Records keep the key they were created under as their author; every key of
 * an author's chain may edit them (writeRecord), and peers merge the edits as
 * the same author's, since the record's author never changes.
 */
import type { Identity } from '../../shared/domain/identity';
import { AppError } from '../../shared/result';
import type { AppliedSuccession } from '../bundles/keyChain';
import { signSuccession } from '../identity/successionStatements';
import { insertSuccession, predecessorOf, successorOf } from '../identity/successionStore';
import type { Workspace } from '../workspace/workspace';
import { parsePublicKeyPem } from './keys';

type TrustRow = { key_id: string; name: string; role: 'evaluator' | 'supervisor'; public_key_pem: string; untrusted_at: string | null };

const short = (keyId: string) => `${keyId.slice(0, 8)}…`;

function trustRow(ws: Workspace, keyId: string): TrustRow | undefined {
  return ws.db.prepare('SELECT key_id, name, role, public_key_pem, untrusted_at FROM trusted_keys WHERE key_id = ?').get(keyId) as TrustRow | undefined;
}

const TRUST_AS = `INSERT INTO trusted_keys (key_id, name, role, public_key_pem, trusted_at, untrusted_at) VALUES (?, ?, ?, ?, ?, NULL)
  ON CONFLICT (key_id) DO NOTHING`;

export async function rotateOwnKey(ws: Workspace, passphrase: string): Promise<Identity> {
  const before = ws.requireIdentity();
  const now = ws.clock.now().toISOString();
  return ws.rotateSigningKey(passphrase, (old, next) => {
    if (successorOf(ws.db, old.key_id)) throw new AppError('WORKSPACE_DAMAGED', `Key ${short(old.key_id)} was replaced already, yet it is still this workspace’s key; restore the workspace from a backup.`);
    const signed = signSuccession({ kind: 'rotation', old: { key_id: old.key_id, public_key_pem: before.public_key_pem }, next, at: now }, old.signingKey, old.key_id);
    insertSuccession(ws.db, { ...signed, signedBy: old.key_id }, now);
    ws.db.prepare(TRUST_AS).run(old.key_id, before.name, before.role, before.public_key_pem, now);
  });
}

/** Returns the new key's id (now trusted with the lost key's name and role). */
export function reassignLostKey(ws: Workspace, lostKeyId: string, newPublicKeyPem: string): string {
  const me = ws.requireIdentity();
  if (me.role !== 'supervisor') {
    throw new AppError('FORBIDDEN', 'Only a supervisor can re-assign a lost key, and this workspace’s role is evaluator; nothing was changed.');
  }
  const keys = ws.requireUnlocked();
  const own = ws.ownKeyIds();
  if (own.includes(lostKeyId)) throw new AppError('INVALID_INPUT', 'That is one of your own keys: rotate it with `evalnotes keys rotate` instead; nothing was changed.');
  const lost = trustRow(ws, lostKeyId);
  if (!lost) throw new AppError('NOT_FOUND', `No key with id ${lostKeyId} is in the trust store; only a key you trust can be re-assigned.`);
  if (lost.untrusted_at !== null) {
    throw new AppError('INVALID_INPUT', `${lost.name}’s key ${short(lostKeyId)} was untrusted on ${lost.untrusted_at.slice(0, 10)}; trust it again before re-assigning it.`);
  }
  const next = parsePublicKeyPem(newPublicKeyPem);
  if (next.keyId === lostKeyId) throw new AppError('INVALID_INPUT', 'The new key is the lost key itself; give the public key of the new identity.');
  if (own.includes(next.keyId)) throw new AppError('INVALID_INPUT', 'The new key is one of your own keys; give the public key of the new identity.');
  const replaced = successorOf(ws.db, lostKeyId);
  if (replaced) throw new AppError('CONFLICT', `Key ${short(lostKeyId)} was already replaced by key ${short(replaced.new_key_id)} on ${replaced.at.slice(0, 10)}; nothing was changed.`);
  const succeeds = predecessorOf(ws.db, next.keyId);
  if (succeeds) throw new AppError('CONFLICT', `Key ${short(next.keyId)} already succeeds key ${short(succeeds.old_key_id)}; a key continues one author only.`);
  const already = trustRow(ws, next.keyId);
  if (already && already.name !== lost.name) {
    throw new AppError('CONFLICT', `Key ${short(next.keyId)} is trusted as ${already.name} already; a re-assignment would make it ${lost.name}’s, so nothing was changed.`);
  }
  const now = ws.clock.now().toISOString();
  const signed = signSuccession(
    { kind: 'reassignment', old: { key_id: lostKeyId, public_key_pem: lost.public_key_pem }, next: { key_id: next.keyId, public_key_pem: next.pem }, at: now },
    keys.signingKey,
    me.key_id,
  );
  ws.db.transaction(() => {
    insertSuccession(ws.db, { ...signed, signedBy: me.key_id }, now);
    ws.db.prepare(TRUST_AS).run(next.keyId, lost.name, lost.role, next.pem, now);
  })();
  return next.keyId;
}

/**
 * Stores the statements a verified bundle established (inside the ingest's
 * transaction) and trusts each new key as its old key's author, when the old
 * key is trusted here. Returns how many statements were new.
 */
export function applySuccessions(ws: Workspace, applied: readonly AppliedSuccession[]): number {
  const { db } = ws;
  const own = ws.requireIdentity();
  const now = ws.clock.now().toISOString();
  let added = 0;
  for (const a of applied) {
    const s = a.statement;
    const known = successorOf(db, s.old_key_id);
    if (known && known.new_key_id !== s.new_key_id) {
      throw new AppError('CONFLICT', `The bundle says key ${short(s.old_key_id)} was replaced by key ${short(s.new_key_id)}, but it was replaced by key ${short(known.new_key_id)} here; nothing was ingested.`);
    }
    if (s.old_key_id === own.key_id) throw new AppError('CONFLICT', 'The bundle replaces this workspace’s own key with another; nothing was ingested.');
    if (predecessorOf(db, s.new_key_id)?.old_key_id !== undefined && !known) {
      throw new AppError('CONFLICT', `The bundle says key ${short(s.new_key_id)} succeeds key ${short(s.old_key_id)}, but it succeeds another key here; nothing was ingested.`);
    }
    if (insertSuccession(db, a, now)) added += 1;
  }
  // Trust follows the links, however long the chain and in whatever order the statements came.
  for (let changed = true; changed; ) {
    changed = false;
    for (const a of applied) {
      const s = a.statement;
      const old = trustRow(ws, s.old_key_id);
      if (!old || old.untrusted_at !== null || s.new_key_id === own.key_id || trustRow(ws, s.new_key_id)) continue;
      db.prepare(TRUST_AS).run(s.new_key_id, old.name, old.role, s.new_public_key_pem, now);
      changed = true;
    }
  }
  return added;
}
