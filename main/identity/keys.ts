import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  scrypt,
  type KeyObject,
} from 'node:crypto';
import { AppError } from '../../shared/result';

/** scrypt cost. N = 2^17 is the floor for a real workspace (DESIGN.md). */
export type KdfParams = { N: number; r: number; p: number };
export const DEFAULT_KDF: KdfParams = { N: 2 ** 17, r: 8, p: 1 };

type StoredKdf = KdfParams & { alg: 'scrypt'; salt: string };
type Sealed = { alg: 'aes-256-gcm'; iv: string; tag: string; ct: string };

const MASTER_KEY_AAD = 'evalnotes/master-key/v1';
const SIGNING_KEY_AAD = 'evalnotes/signing-key/v1';

function deriveKek(passphrase: string, kdf: StoredKdf): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // scrypt needs 128·N·r bytes; raise Node's 32 MiB default accordingly.
    const maxmem = 256 * kdf.N * kdf.r;
    scrypt(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const sealed: Sealed = { alg: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
  return JSON.stringify(sealed);
}

/** Returns null when the key or the data is wrong (GCM authentication failed). */
function open(key: Buffer, sealedText: string, aad: string): Buffer | null {
  const s = JSON.parse(sealedText) as Sealed;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'base64'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(s.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(s.ct, 'base64')), decipher.final()]);
  } catch {
    return null;
  }
}

/** Key id: lowercase hex SHA-256 of the raw 32-byte Ed25519 public key. */
export function keyIdOf(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || !jwk.x) throw new AppError('INVALID_INPUT', 'That is not an Ed25519 public key.');
  return createHash('sha256').update(Buffer.from(jwk.x, 'base64url')).digest('hex');
}

export type SealedIdentity = {
  key_id: string;
  public_key_pem: string;
  kdf: string;
  wrapped_master_key: string;
  encrypted_signing_key: string;
};

export type UnlockedKeys = { masterKey: Buffer; signingKey: KeyObject; publicKey: KeyObject };

/**
 * A new identity: a random master key wrapped by a passphrase-derived key, and an
 * Ed25519 key pair whose private half is encrypted under the master key.
 */
export async function createSealedIdentity(passphrase: string, params: KdfParams = DEFAULT_KDF): Promise<{ sealed: SealedIdentity; keys: UnlockedKeys }> {
  const kdf: StoredKdf = { alg: 'scrypt', ...params, salt: randomBytes(16).toString('base64') };
  const masterKey = randomBytes(32);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const keyId = keyIdOf(publicKey);
  const kek = await deriveKek(passphrase, kdf);
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    sealed: {
      key_id: keyId,
      public_key_pem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      kdf: JSON.stringify(kdf),
      wrapped_master_key: seal(kek, masterKey, MASTER_KEY_AAD),
      encrypted_signing_key: seal(masterKey, pkcs8, `${SIGNING_KEY_AAD}:${keyId}`),
    },
    keys: { masterKey, signingKey: privateKey, publicKey },
  };
}

/** The master key from its passphrase wrap; BAD_PASSPHRASE when the passphrase is wrong. */
export async function unwrapMasterKey(sealed: Pick<SealedIdentity, 'kdf' | 'wrapped_master_key'>, passphrase: string): Promise<Buffer> {
  const kdf = JSON.parse(sealed.kdf) as StoredKdf;
  const masterKey = open(await deriveKek(passphrase, kdf), sealed.wrapped_master_key, MASTER_KEY_AAD);
  if (!masterKey) throw new AppError('BAD_PASSPHRASE', 'That passphrase is not correct.');
  return masterKey;
}

export async function unlockIdentity(sealed: SealedIdentity, passphrase: string): Promise<UnlockedKeys> {
  return openSigningKey(sealed, await unwrapMasterKey(sealed, passphrase));
}

/** The signing key, decrypted under an already unwrapped master key. */
export function openSigningKey(sealed: SealedIdentity, masterKey: Buffer): UnlockedKeys {
  const pkcs8 = open(masterKey, sealed.encrypted_signing_key, `${SIGNING_KEY_AAD}:${sealed.key_id}`);
  if (!pkcs8) throw new AppError('WORKSPACE_DAMAGED', 'The signing key in this workspace cannot be decrypted; restore it from a backup.');
  const signingKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(signingKey);
  if (keyIdOf(publicKey) !== sealed.key_id) throw new AppError('WORKSPACE_DAMAGED', 'The signing key does not match the workspace identity.');
  return { masterKey, signingKey, publicKey };
}

/**
 * Key rotation: a fresh Ed25519 key pair whose private half is sealed under the
 * same master key (bound to its own key id, as at creation). The caller
 * replaces the identity's key with it; the passphrase wrap is unchanged.
 */
export function newSigningKey(masterKey: Buffer): { key_id: string; public_key_pem: string; encrypted_signing_key: string; signingKey: KeyObject; publicKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const keyId = keyIdOf(publicKey);
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const encrypted = seal(masterKey, pkcs8, `${SIGNING_KEY_AAD}:${keyId}`);
  pkcs8.fill(0);
  return { key_id: keyId, public_key_pem: publicKey.export({ format: 'pem', type: 'spki' }).toString(), encrypted_signing_key: encrypted, signingKey: privateKey, publicKey };
}

/** Changing the passphrase rewraps the master key only; nothing else is re-encrypted. */
export async function rewrapMasterKey(sealed: SealedIdentity, oldPassphrase: string, newPassphrase: string, params: KdfParams = DEFAULT_KDF) {
  const { masterKey } = await unlockIdentity(sealed, oldPassphrase);
  const kdf: StoredKdf = { alg: 'scrypt', ...params, salt: randomBytes(16).toString('base64') };
  return { kdf: JSON.stringify(kdf), wrapped_master_key: seal(await deriveKek(newPassphrase, kdf), masterKey, MASTER_KEY_AAD) };
}
