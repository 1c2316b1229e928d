import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { handlingLine } from '../../../shared/domain/handling';
import type { ExportSummary } from '../../../shared/domain/bundle';
import { AppError } from '../../../shared/result';
import { parseCallInput } from '../../api/dispatch';
import { BundleService } from '../../services/bundles';
import { KeyService } from '../../services/keys';
import { withWorkspace } from '../context';
import { printJson, printLine } from '../output';
import { readPassphrase } from '../prompt';
import { version } from '../../../package.json';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function countsLine(s: ExportSummary): string {
  const records = Object.entries(s.counts.records)
    .filter(([, n]) => n > 0)
    .map(([folder, n]) => `${n} ${folder}`);
  return [...records, `${s.counts.attachments} attachments`, `${s.counts.forwarded} forwarded bundles`].join(', ');
}

export function registerBundles(program: Command): void {
  program
    .command('export')
    .description('Write a signed bundle of your records in an engagement (only yours; thresholds only when asked)')
    .requiredOption('--engagement <id>', 'the engagement to export')
    .requiredOption('--out <file.evb>', 'where to write the bundle')
    .option('--finding <id>', 'export only this finding (repeatable); default: all your findings', collect)
    .option('--include-thresholds', 'also export the engagement’s thresholds (sensitive: they leave the machine)')
    .option('--forward <file.evb>', 'carry another signer’s bundle verbatim (repeatable)', collect)
    .option('--confirm-credentials', 'export runs with credential-shaped strings anyway (recorded in the audit chain)')
    .addHelpText('after', '\nSigning needs the passphrase: from EVALNOTES_PASSPHRASE, or asked for at the terminal.')
    .action(
      async (
        o: { engagement: string; out: string; finding?: string[]; includeThresholds?: boolean; forward?: string[]; confirmCredentials?: boolean },
        cmd: Command,
      ) => {
        await withWorkspace(cmd, async (ws, { json }) => {
          // Check everything the flags say before asking for the passphrase.
          const input = parseCallInput('bundle:preview', { engagement_id: o.engagement, findings: o.finding ?? null, include_thresholds: o.includeThresholds === true });
          const out = resolve(o.out);
          if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) throw new AppError('INVALID_INPUT', `--out ${o.out}: its folder does not exist.`);
          if (existsSync(out) && statSync(out).isDirectory()) throw new AppError('INVALID_INPUT', `--out ${o.out}: that is a folder; name a file.`);
          const forward = (o.forward ?? []).map((f) => {
            if (!existsSync(f) || !statSync(f).isFile()) throw new AppError('INVALID_INPUT', `--forward ${f}: there is no such file.`);
            return resolve(f);
          });
          ws.requireIdentity();
          if (!ws.unlocked) await ws.unlock(await readPassphrase('Passphrase: '));

          const keys = new KeyService(ws);
          const service = new BundleService(ws, ws.blobStore(), { appVersion: version, trust: () => keys.lookup() });
          const controller = new AbortController();
          const onInterrupt = () => controller.abort();
          process.once('SIGINT', onInterrupt);
          const tty = !json && process.stderr.isTTY;
          try {
            const summary = await service.export(
              {
                engagementId: input.engagement_id,
                findings: input.findings,
                includeThresholds: input.include_thresholds,
                forward,
                confirmCredentials: o.confirmCredentials === true,
              },
              out,
              {
                signal: controller.signal,
                progress: (done, total, message) => {
                  if (tty) process.stderr.write(`\r\u001b[2K${total ? `${Math.floor((done / total) * 100)}%`.padStart(4) : ''} ${message}`);
                },
              },
            );
            if (tty) process.stderr.write('\r\u001b[2K');
            if (json) return printJson(summary);
            printLine(handlingLine(summary.handling));
            printLine(`Bundle ${summary.id}`);
            printLine(`  ${countsLine(summary)}`);
            printLine(`  written to ${summary.file} (${summary.bytes} bytes)`);
          } finally {
            process.off('SIGINT', onInterrupt);
          }
        });
      },
    );
}
