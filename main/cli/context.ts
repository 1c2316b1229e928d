import type { Command } from 'commander';
import { Workspace } from '../workspace/workspace';
import { defaultDataDir } from '../workspace/paths';

export type GlobalOptions = { dataDir?: string; json?: boolean };

export function globalOptions(cmd: Command): { dataDir: string; json: boolean } {
  const o = cmd.optsWithGlobals<GlobalOptions>();
  return { dataDir: o.dataDir ?? defaultDataDir(), json: o.json === true };
}

/** Opens the workspace for one command and always closes it. */
export async function withWorkspace<T>(cmd: Command, fn: (ws: Workspace, opts: { dataDir: string; json: boolean }) => T | Promise<T>): Promise<T> {
  const opts = globalOptions(cmd);
  const ws = Workspace.open({ dataDir: opts.dataDir });
  try {
    return await fn(ws, opts);
  } finally {
    ws.close();
  }
}
