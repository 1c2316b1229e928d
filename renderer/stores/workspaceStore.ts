import { create } from 'zustand';
import type { WorkspaceStatus } from '../../shared/api/contract';
import type { Identity, IdentityInput } from '../../shared/domain/identity';
import { call, errorMessage } from '../lib/api';

export type WorkspaceState = {
  status: WorkspaceStatus | null;
  /** Set when even the status could not be read (the service is down or the workspace is damaged). */
  loadError: string | null;
  /** The identity just created, shown once with its fingerprint before the main screen. */
  welcome: Identity | null;
  /** Set when the workspace locked itself after this long without use: the unlock screen says so. */
  idleLockedAfterMs: number | null;
  /** The workspace locked itself (workspace:locked): remember why and show the unlock screen. */
  lockedForIdle: (afterMs: number) => Promise<void>;
  load: () => Promise<void>;
  /** Throws ApiCallError with main's message; the form shows it. `encrypt`: encrypted at rest from the start. */
  create: (input: IdentityInput & { encrypt: boolean }) => Promise<void>;
  /** Throws ApiCallError (BAD_PASSPHRASE …); the unlock form shows it. */
  unlock: (passphrase: string) => Promise<void>;
  lock: () => Promise<void>;
  dismissWelcome: () => void;
};

export const useWorkspaceStore = create<WorkspaceState>()((set, get) => ({
  status: null,
  loadError: null,
  welcome: null,
  idleLockedAfterMs: null,
  async lockedForIdle(afterMs) {
    set({ idleLockedAfterMs: afterMs });
    await get().load();
  },
  async load() {
    try {
      set({ status: await call('workspace:status', {}), loadError: null });
    } catch (error) {
      set({ loadError: errorMessage(error) });
    }
  },
  async create(input) {
    const status = await call('workspace:create', input);
    set({ status, welcome: status.identity });
  },
  async unlock(passphrase) {
    set({ status: await call('workspace:unlock', { passphrase }), idleLockedAfterMs: null });
  },
  async lock() {
    set({ status: await call('workspace:lock', {}), welcome: null, idleLockedAfterMs: null });
  },
  dismissWelcome() {
    set({ welcome: null });
  },
}));
