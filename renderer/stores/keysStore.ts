import { create } from 'zustand';
import type { TrustedKey } from '../../shared/domain/bundle';
import type { Identity, Role } from '../../shared/domain/identity';
import { call, errorMessage } from '../lib/api';

export type KeysState = {
  /** This workspace's own key. */
  own: Identity | null;
  /** The trust store, untrusted keys included (they flag what they signed before). */
  trusted: TrustedKey[];
  loaded: boolean;
  /** Why the keys could not be read, one sentence. */
  error: string | null;
  load: () => Promise<void>;
  /** Throws ApiCallError with main's one-sentence message; nothing changes then. */
  trust: (input: { public_key_pem: string; name: string; role: Role }) => Promise<TrustedKey>;
  untrust: (keyId: string) => Promise<TrustedKey>;
  /** A new signing key; the trust store is read again (the old key joins it under your name). */
  rotate: (passphrase: string) => Promise<Identity>;
  /** Supervisors: the lost key's author gets the new key; returns the new key's trust-store entry. */
  reassign: (lostKeyId: string, newPublicKeyPem: string) => Promise<TrustedKey>;
  reset: () => void;
};

function upsert(list: TrustedKey[], k: TrustedKey): TrustedKey[] {
  return [...list.filter((x) => x.key_id !== k.key_id), k].sort((a, b) => a.name.localeCompare(b.name) || a.key_id.localeCompare(b.key_id));
}

/** Keys and trust: the Keys screen edits them, and every record view names its author with them. */
export const useKeysStore = create<KeysState>()((set, get) => ({
  own: null,
  trusted: [],
  loaded: false,
  error: null,
  async load() {
    try {
      const [own, trusted] = await Promise.all([call('keys:show', {}), call('keys:list', {})]);
      set({ own, trusted, loaded: true, error: null });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
  async trust(input) {
    const k = await call('keys:trust', input);
    set({ trusted: upsert(get().trusted, k) });
    return k;
  },
  async untrust(keyId) {
    const k = await call('keys:untrust', { key_id: keyId });
    // Its successors are untrusted with it: read the whole store again.
    set({ trusted: await call('keys:list', {}) });
    return k;
  },
  async rotate(passphrase) {
    const own = await call('keys:rotate', { passphrase });
    set({ own, trusted: await call('keys:list', {}) });
    return own;
  },
  async reassign(lostKeyId, newPublicKeyPem) {
    const k = await call('keys:reassign', { lost_key_id: lostKeyId, new_public_key_pem: newPublicKeyPem });
    set({ trusted: await call('keys:list', {}) });
    return k;
  },
  reset() {
    set({ own: null, trusted: [], loaded: false, error: null });
  },
}));
