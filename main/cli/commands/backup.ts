import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/result';
import { backupWorkspace } from '../../backup/createBackup';
import { restoreBackup } from '../../backup/restoreBackup';
import { verifyBackup } from '../../backup/verifyBackup';
import { globalOptions, withWorkspace } from '../context';
import { printJson, printLine } from '../output';
import { version } from '../../../package.json';

type Progress = (done: number, total: number | null, message: string) => void;

/** Progress on a terminal only (stderr, one line redrawn); scripts get the result alone. */
function terminalProgress(json: boolean): { progress: Progress; done(): void } {
  const tty = !json && process.stderr.isTTY;
  let last = 0;
  return {
    progress: (done, total, message) => {
      // Called per chunk read; ten redraws a second are plenty.
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      if (tty) process.stderr.write(`\r\u001b[2K${total ? `${Math.floor((done / total) * 100)}%`.padStart(4) : ''} ${message}`);
    },
    done: () => {
      if (tty) process.stderr.write('\r\u001b[2K');
    },
  };
}

/** Ctrl+C cancels the work in hand (which then leaves nothing behind) instead of killing it midway. */
async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

function outputPath(out: string): string {
  const path = resolve(out);
  if (!existsSync(dirname(path)) || !statSync(dirname(path)).isDirectory()) throw new AppError('INVALID_INPUT', `--out ${out}: its folder does not exist.`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new AppError('INVALID_INPUT', `--out ${out}: that is a folder; name a file.`);
  return path;
}

export function registerBackup(program: Command): void {
  const backup = program
    .command('backup')
    .description('Write the whole workspace (database and files) into one verifiable backup file, or check one')
    .option('--out <file>', 'where to write the backup (e.g. workspace.evbackup)')
    .addHelpText(
      'after',
      '\nNo passphrase is needed: the backup copies the workspace as it is on disk (an encrypted workspace stays encrypted),' +
        '\nand the app or other commands may keep using the workspace meanwhile. Restore with `evalnotes restore FILE --data-dir NEW`.',
    )
    .action(async (o: { out?: string }, cmd: Command) => {
      if (!o.out) cmd.error('error: backup needs --out <file>, or `backup verify FILE`');
      const out = outputPath(o.out);
      await withWorkspace(cmd, async (ws, { json }) => {
        const line = terminalProgress(json);
        const summary = await interruptible((signal) => backupWorkspace(ws, out, { appVersion: version, signal, progress: line.progress })).finally(() => line.done());
        if (json) return printJson({ ...summary, download_url: null });
        printLine(`Backup written to ${summary.file}: ${summary.members} files, ${summary.bytes} bytes, database schema ${summary.schema_version}.`);
      });
    });

  backup
    .command('verify')
    .description('Check a backup without restoring it: its manifest and every file’s SHA-256')
    .argument('<file>', 'the backup file')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const { json } = globalOptions(cmd);
      const line = terminalProgress(json);
      const report = await interruptible((signal) => verifyBackup(resolve(file), { signal, progress: line.progress })).finally(() => line.done());
      if (json) return printJson(report);
      printLine(
        `${file}: every file matches its digest (${report.members} files, ${report.bytes} bytes); made by EvalNotes ${report.app_version} ` +
          `at ${report.created_at}, database schema ${report.schema_version}${report.database_encrypted ? ', encrypted' : ''}.`,
      );
    });

  program
    .command('restore')
    .description('Restore a backup into a new or empty workspace folder (given with --data-dir)')
    .argument('<file>', 'the backup file')
    .addHelpText(
      'after',
      '\nEverything is checked first (every digest, the database’s integrity, that no newer EvalNotes made it); then the files are' +
        '\nunpacked beside the folder and renamed into place. A folder that is not empty is refused. The restored workspace' +
        '\nopens with the passphrase it had when the backup was made.',
    )
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const { dataDir, json } = globalOptions(cmd);
      const line = terminalProgress(json);
      const summary = await interruptible((signal) => restoreBackup(resolve(file), dataDir, { signal, progress: line.progress })).finally(() => line.done());
      if (json) return printJson(summary);
      printLine(
        `Restored ${summary.members} files (${summary.bytes} bytes) into ${summary.data_dir}; database schema ${summary.schema_version}` +
          `${summary.integrity_checked ? ', integrity checked' : ' (encrypted: checked by digest)'}.`,
      );
    });
}
