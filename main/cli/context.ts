import type { Command } from 'commander';
import { Workspace } from '../workspace/workspace';
import { defaultDataDir } from '../workspace/paths';
import { readPassphrase } from './prompt';

export type GlobalOptions = { dataDir?: string; json?: boolean };

export function globalOptions(cmd: Command): { dataDir: string; json: boolean } {
  const o = cmd.optsWithGlobals<GlobalOptions>();
  return { dataDir: o.dataDir ?? defaultDataDir(), json: o.json === true };
}

/**
 * Opens the workspace for one command and always closes it. An encrypted
 * workspace is unlocked first (EVALNOTES_PASSPHRASE or the prompt, as for
 * signing): its records cannot be read otherwise. `unlock: false` is for the
 * commands that must not ask (init).
 */
export async function withWorkspace<T>(
  cmd: Command,
  fn: (ws: Workspace, opts: { dataDir: string; json: boolean }) => T | Promise<T>,
  how: { unlock?: boolean } = {},
): Promise<T> {
  const opts = globalOptions(cmd);
  const ws = Workspace.open({ dataDir: opts.dataDir });
  try {
    if (ws.encrypted && how.unlock !== false) await ws.unlock(await readPassphrase('Passphrase: '));
    return await fn(ws, opts);
  } finally {
    ws.close();
  }
}
