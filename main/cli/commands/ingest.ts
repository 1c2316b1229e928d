import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { IngestSummary } from '../../../shared/domain/bundle';
import { handlingLine } from '../../../shared/domain/handling';
import { fingerprintOf } from '../../../shared/domain/identity';
import { AppError, type ApiError } from '../../../shared/result';
import { version } from '../../../package.json';
import { BundleService } from '../../services/bundles';
import { workspaceTrust } from '../../services/keys';
import { withWorkspace } from '../context';
import { printJson, printLine } from '../output';
import { trustFromPath } from './verify';

type FileResult = { file: string; ingested: true; summary: IngestSummary } | { file: string; ingested: false; error: ApiError };

const counts = (c: { added: number; updated: number; skipped: number }) => `${c.added} added, ${c.updated} updated, ${c.skipped} skipped`;

function printSummary(file: string, s: IngestSummary): void {
  const outer = s.bundles.find((b) => !b.forwarded);
  printLine(`${file}: signed by ${outer?.signer_name ?? '?'} (${outer?.role ?? '?'}), key ${fingerprintOf(outer?.signer_key_id ?? '')}`);
  if (s.report.handling) printLine(`  Marking: ${handlingLine(s.report.handling)}`);
  for (const b of s.bundles.filter((x) => x.forwarded)) printLine(`  Forwarded: ${b.signer_name} (${b.role}), key ${fingerprintOf(b.signer_key_id)}, bundle ${b.id.slice(0, 12)}…`);
  const types = Object.entries(s.by_type)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([folder, c]) => `${folder} ${c.added}/${c.updated}/${c.skipped}`);
  printLine(`  Records: ${counts(s.totals)}${types.length ? ` (added/updated/skipped: ${types.join(', ')})` : ''}`);
  printLine(`  Attachment files added: ${s.attachments_added}`);
  if (s.waiting.length === 0) printLine('  Waiting: nothing');
  else {
    printLine(`  Waiting for records not here yet: ${s.waiting.length}`);
    for (const w of s.waiting) printLine(`    ${w.type} ${w.record_id} waits for ${w.waiting_for}`);
  }
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('Verify signed bundles and merge their records, and those of the bundles they forward, into this workspace')
    .argument('<file.evb...>', 'the bundles, ingested one after another')
    .option('--trust <key.pub|dir>', 'trust only this public key (or the keys in this folder) for this ingest, instead of the workspace’s trust store')
    .addHelpText(
      'after',
      [
        '',
        'Each file is verified and then merged in a transaction of its own: a file that fails is named on stderr',
        'with the reason and nothing of it is merged, while the files before it stay merged and the files after it',
        'are still tried. Exits 0 when every file was ingested, 1 when any was refused.',
        'Ingesting a bundle again, or bundles in any order, leaves the same records.',
      ].join('\n'),
    )
    .action(async (files: string[], o: { trust?: string }, cmd: Command) => {
      await withWorkspace(cmd, async (ws, { json }) => {
        ws.requireIdentity();
        const trust = o.trust ? trustFromPath(o.trust) : workspaceTrust(ws);
        const service = new BundleService(ws, ws.blobStore(), { appVersion: version, trust: () => trust });
        const controller = new AbortController();
        const onInterrupt = () => controller.abort();
        process.once('SIGINT', onInterrupt);
        const tty = !json && process.stderr.isTTY;
        const results: FileResult[] = [];
        try {
          for (const file of files) {
            if (controller.signal.aborted) break;
            const name = basename(file);
            try {
              const summary = await service.ingest(
                resolve(file),
                {
                  signal: controller.signal,
                  progress: (done, total, message) => {
                    if (tty) process.stderr.write(`\r\u001b[2K${total ? `${Math.floor((done / total) * 100)}%`.padStart(4) : ''} ${name}: ${message}`);
                  },
                },
                trust,
              );
              if (tty) process.stderr.write('\r\u001b[2K');
              results.push({ file, ingested: true, summary });
              if (!json) printSummary(file, summary);
            } catch (error) {
              if (!(error instanceof AppError)) throw error;
              if (tty) process.stderr.write('\r\u001b[2K');
              results.push({ file, ingested: false, error: { code: error.code, message: error.message } });
              // The verifier's sentences start with the file's name already.
              const reason = error.message.startsWith(name) ? error.message : `${name}: ${error.message}`;
              if (!json) process.stderr.write(`evalnotes: not ingested: ${reason}\n`);
              process.exitCode = 1;
            }
          }
        } finally {
          process.off('SIGINT', onInterrupt);
        }
        if (json) printJson(results);
      });
    });
}
