import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * `<userData>/workspace`, computed the way Electron computes userData for an app
 * named EvalNotes, so the CLI and the desktop app find the same workspace.
 * EVALNOTES_DATA_DIR overrides it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.EVALNOTES_DATA_DIR) return env.EVALNOTES_DATA_DIR;
  const home = homedir();
  const appData =
    platform === 'win32'
      ? (env.APPDATA ?? join(home, 'AppData', 'Roaming'))
      : platform === 'darwin'
        ? join(home, 'Library', 'Application Support')
        : (env.XDG_CONFIG_HOME ?? join(home, '.config'));
  return join(appData, 'EvalNotes', 'workspace');
}

export const DATABASE_FILE = 'evalnotes.db';
