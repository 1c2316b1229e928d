import { useCallback } from 'react';
import { useWorkspaceStore } from '../../stores/workspaceStore';
import { isOwnKey } from './authors';

/**
 * Whether a key is this workspace's, current or former (a rotated or
 * re-assigned key): what it wrote is yours to edit. Changes when the identity
 * does (after a rotation), so effects that filter by it run again.
 */
export function useIsOwnKey(): (keyId: string | undefined) => boolean {
  const identity = useWorkspaceStore((s) => s.status?.identity);
  return useCallback((keyId: string | undefined) => isOwnKey(identity, keyId), [identity]);
}
