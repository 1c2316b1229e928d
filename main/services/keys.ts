/**
 * Keys and trust: this workspace's own key, the trust store (whose bundles are
 * accepted, as evaluator or supervisor), and the passphrase change.
 *
 * Trust changes are not audit events: the audit chain links record revisions
 * (shared/domain/audit.ts: entity is a record type, id a record id), and a
 * trusted key is workspace configuration, not a record. The trust store keeps
 * its own history instead: a key is never deleted, untrusting sets untrusted_at.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { TrustedKey } from '../../shared/domain/bundle';
import { publicKeyFileName, type Identity, type Role } from '../../shared/domain/identity';
import { AppError } from '../../shared/result';
import { writeFileDurably } from '../files/durable';
import type { FileRefs } from '../files/fileRefs';
import { keyIdOf } from '../identity/keys';
import { linkOf, predecessorOf, successorOf, successorsOf } from '../identity/successionStore';
import type { Workspace } from '../workspace/workspace';
import { reassignLostKey, rotateOwnKey } from './keySuccessions';

/**
 * What the verifier needs to know about a key id. `successor`: a key that
 * replaced it (rotation); its old bundles still verify. A key reported lost
 * (a supervisor re-assigned its author) signs nothing accepted any more.
 */
export type TrustAnswer =
  | { status: 'trusted'; publicKey: KeyObject; name: string; role: Role | null; trustedAs: string; successor?: string }
  | { status: 'untrusted'; name: string; since: string }
  | { status: 'lost'; name: string; role: Role | null; since: string; successor: string }
  | { status: 'unknown' };
export type TrustLookup = (keyId: string) => TrustAnswer;

/** Parses an SPKI PEM public key; refuses private keys and anything but Ed25519. */
export function parsePublicKeyPem(pem: string): { publicKey: KeyObject; keyId: string; pem: string } {
  if (!/^\s*-----BEGIN PUBLIC KEY-----/.test(pem)) {
    throw new AppError('INVALID_INPUT', 'That is not a public key: expected a PEM file that starts with -----BEGIN PUBLIC KEY-----.');
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new AppError('INVALID_INPUT', 'That public key cannot be read: it is not a valid SPKI PEM key.');
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    throw new AppError('INVALID_INPUT', `That is a ${publicKey.asymmetricKeyType ?? 'unknown'} key; EvalNotes signs and verifies with Ed25519 keys only.`);
  }
  return { publicKey, keyId: keyIdOf(publicKey), pem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

type Row = { key_id: string; name: string; role: Role; public_key_pem: string; trusted_at: string; untrusted_at: string | null };

export class KeyService {
  constructor(private readonly ws: Workspace) {}

  show(): Identity {
    return this.ws.requireIdentity();
  }

  /** This workspace's public key as a file others can trust: a name that says whose it is, and the SPKI PEM. */
  publicKeyFile(): { name: string; pem: string } {
    const identity = this.ws.requireIdentity();
    return { name: publicKeyFileName(identity), pem: identity.public_key_pem };
  }

  /** Desktop: writes the .pub to a path picked in the save dialog (temp, fsync, rename). */
  async savePublicKey(target: string): Promise<void> {
    try {
      await writeFileDurably(target, this.publicKeyFile().pem);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'error';
      throw new AppError('FORBIDDEN', `Could not save the public key to ${target} (${code}); choose another place.`);
    }
  }

  /** Browser: the .pub written into the file refs' temp area and offered once; returns its download URL. */
  async offerPublicKey(files: FileRefs): Promise<string> {
    const { name, pem } = this.publicKeyFile();
    const out = files.createOutput(name);
    const { path } = files.resolve(out.ref, 'write');
    await writeFileDurably(path, pem);
    return `/files/${files.offerDownload(path, name, Buffer.byteLength(pem)).ref}`;
  }

  list(): TrustedKey[] {
    const rows = this.ws.db.prepare('SELECT * FROM trusted_keys ORDER BY name COLLATE NOCASE, key_id').all() as Row[];
    return rows.map((r) => this.describe(r));
  }

  /** A trust-store row with how it came (a rotation or re-assignment) and what replaced it, if anything. */
  private describe(row: Row): TrustedKey {
    const came = predecessorOf(this.ws.db, row.key_id);
    const went = successorOf(this.ws.db, row.key_id);
    return TrustedKey.parse({ ...row, ...(came ? { succeeds: linkOf(came, 'old') } : {}), ...(went ? { succeeded_by: linkOf(went, 'new') } : {}) });
  }

  /** `evalnotes keys rotate`: a new signing key, announced by a statement the old one signs (keySuccessions.ts). */
  rotate(passphrase: string): Promise<Identity> {
    return rotateOwnKey(this.ws, passphrase);
  }

  /** A supervisor's re-assignment of a lost key to its author's new key (keySuccessions.ts). */
  reassign(input: { lost_key_id: string; new_public_key_pem: string }): TrustedKey {
    const newKeyId = reassignLostKey(this.ws, input.lost_key_id, input.new_public_key_pem);
    return this.get(newKeyId);
  }

  /** Trust a key (or trust it again after untrusting it, or rename / change its role). */
  trust(input: { public_key_pem: string; name: string; role: Role }): TrustedKey {
    const { keyId, pem } = parsePublicKeyPem(input.public_key_pem);
    if (keyId === this.ws.requireIdentity().key_id) {
      throw new AppError('INVALID_INPUT', 'That is this workspace’s own key, which is always trusted.');
    }
    const now = this.ws.clock.now().toISOString();
    this.ws.db
      .prepare(
        `INSERT INTO trusted_keys (key_id, name, role, public_key_pem, trusted_at, untrusted_at) VALUES (?, ?, ?, ?, ?, NULL)
         ON CONFLICT (key_id) DO UPDATE SET name = excluded.name, role = excluded.role, trusted_at = excluded.trusted_at, untrusted_at = NULL`,
      )
      .run(keyId, input.name.trim(), input.role, pem, now);
    return this.get(keyId);
  }

  /** Its bundles are refused from now on; isUntrusted() lets readers flag what it signed before. */
  untrust(keyId: string): TrustedKey {
    const existing = this.find(keyId);
    if (!existing) throw new AppError('NOT_FOUND', `No key with id ${keyId} is in the trust store.`);
    // Its successors (rotations, re-assignments) go with it: they are trusted only as its continuation.
    const now = this.ws.clock.now().toISOString();
    const untrust = this.ws.db.prepare('UPDATE trusted_keys SET untrusted_at = ? WHERE key_id = ? AND untrusted_at IS NULL');
    this.ws.db.transaction(() => {
      for (const k of [keyId, ...successorsOf(this.ws.db, keyId)]) untrust.run(now, k);
    })();
    return this.get(keyId);
  }

  /**
   * True when the key was trusted once and has been untrusted: records it
   * authored (ingested from its bundles) are shown flagged. Ingest and the
   * record views call this; the own key and unknown keys are not "untrusted".
   */
  isUntrusted(keyId: string): boolean {
    return this.find(keyId)?.untrusted_at != null;
  }

  /** Trust as the verifier sees it: the own key and trust-store keys that were not untrusted. */
  lookup(): TrustLookup {
    return workspaceTrust(this.ws);
  }

  async changePassphrase(current: string, next: string): Promise<{ changed: true }> {
    if (current === next) throw new AppError('INVALID_INPUT', 'The new passphrase is the same as the current one; nothing was changed.');
    await this.ws.changePassphrase(current, next);
    return { changed: true };
  }

  private find(keyId: string): Row | undefined {
    return this.ws.db.prepare('SELECT * FROM trusted_keys WHERE key_id = ?').get(keyId) as Row | undefined;
  }

  private get(keyId: string): TrustedKey {
    const row = this.find(keyId);
    if (!row) throw new AppError('NOT_FOUND', `No key with id ${keyId} is in the trust store.`);
    return this.describe(row);
  }
}

/** The workspace's trust: read fresh on every lookup, so an untrust applies at once. */
export function workspaceTrust(ws: Workspace): TrustLookup {
  return (keyId) => {
    const own = ws.identity();
    if (own && own.key_id === keyId) {
      return { status: 'trusted', publicKey: createPublicKey(own.public_key_pem), name: own.name, role: own.role, trustedAs: `own key (${own.role})` };
    }
    const row = ws.db.prepare('SELECT * FROM trusted_keys WHERE key_id = ?').get(keyId) as Row | undefined;
    const next = successorOf(ws.db, keyId);
    if (next?.kind === 'reassignment') {
      const name = row?.name ?? (own?.former_key_ids?.includes(keyId) ? own.name : `key ${keyId.slice(0, 8)}…`);
      return { status: 'lost', name, role: row?.role ?? null, since: next.at, successor: next.new_key_id };
    }
    if (!row) return { status: 'unknown' };
    if (row.untrusted_at !== null) return { status: 'untrusted', name: row.name, since: row.untrusted_at };
    const successor = next ? { successor: next.new_key_id } : {};
    return { status: 'trusted', publicKey: createPublicKey(row.public_key_pem), name: row.name, role: row.role, trustedAs: row.role, ...successor };
  };
}

/** Trust given on the command line (`--trust KEY.pub` or a folder of them): only these keys. */
export function fileTrust(keys: { pem: string; label: string }[]): TrustLookup {
  const byId = new Map<string, { publicKey: KeyObject; label: string }>();
  for (const k of keys) {
    const parsed = parsePublicKeyPem(k.pem);
    byId.set(parsed.keyId, { publicKey: parsed.publicKey, label: k.label });
  }
  return (keyId) => {
    const hit = byId.get(keyId);
    return hit ? { status: 'trusted', publicKey: hit.publicKey, name: hit.label, role: null, trustedAs: `given key ${hit.label}` } : { status: 'unknown' };
  };
}
