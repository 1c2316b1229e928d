import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { AppError } from '../../../shared/result';
import { DEFAULT_IDLE_LOCK_MS } from '../../app/idleLock';
import { openWorkspaceHost } from '../../app/workspaceHost';
import type { Platform } from '../../platform/platform';
import { startServeHost } from '../../serve/server';
import { globalOptions } from '../context';
import { printJson, printLine } from '../output';
import { version } from '../../../package.json';

const browserPlatform: Platform = {
  transport: 'browser',
  openFiles: () => Promise.reject(new AppError('UNSUPPORTED', 'The browser uploads files instead of opening a dialog.')),
  saveFile: () => Promise.reject(new AppError('UNSUPPORTED', 'The browser downloads files instead of saving through a dialog.')),
};

const log = {
  error: (message: string, detail?: unknown) => process.stderr.write(`evalnotes serve: ${message}${detail instanceof Error ? `: ${detail.message}` : ''}\n`),
  warn: (message: string) => process.stderr.write(`evalnotes serve: ${message}\n`),
};

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run EvalNotes in your browser: a local server on 127.0.0.1 with a one-time link')
    .option('--port <n>', 'port to listen on (default: a free one)', '0')
    .option('--lock-after <minutes>', 'lock an encrypted workspace after this many minutes without use', String(DEFAULT_IDLE_LOCK_MS / 60_000))
    .action(async (o: { port: string; lockAfter: string }, cmd: Command) => {
      const { dataDir, json } = globalOptions(cmd);
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AppError('INVALID_INPUT', `--port must be a whole number from 0 to 65535, not ${o.port}.`);
      // Fractions allowed (0.5 is half a minute); a day at most, as a lock that never comes is no lock.
      const lockAfter = o.lockAfter.trim() === '' ? NaN : Number(o.lockAfter);
      if (!(lockAfter > 0 && lockAfter <= 1440)) throw new AppError('INVALID_INPUT', `--lock-after must be a number of minutes above 0 and at most 1440 (a day), not ${o.lockAfter}.`);
      const here = dirname(fileURLToPath(import.meta.url));
      const app = openWorkspaceHost({
        dataDir,
        platform: browserPlatform,
        appVersion: version,
        log,
        importWorkerPath: join(here, 'importWorker.js'),
        idleLockMs: Math.round(lockAfter * 60_000),
      });
      let host: Awaited<ReturnType<typeof startServeHost>>;
      try {
        const rendererDir = join(here, '../renderer');
        host = await startServeHost({ app, rendererDir, port, host: '127.0.0.1', log });
      } catch (error) {
        await app.close();
        throw error;
      }
      if (json) printJson({ url: host.url, data_dir: dataDir });
      else {
        printLine(`EvalNotes is serving at ${host.url}`);
        printLine(`Workspace: ${dataDir}. Open the link in a browser on this machine; press Ctrl+C to stop.`);
        const problem = app.problem();
        if (problem) printLine(`${problem} The browser offers to restore it from a backup.`);
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await host.close();
      await app.close();
    });
}
