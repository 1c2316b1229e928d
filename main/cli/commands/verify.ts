import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { handlingLine } from '../../../shared/domain/handling';
import { fingerprintOf } from '../../../shared/domain/identity';
import type { VerifyReport } from '../../../shared/domain/bundle';
import { AppError } from '../../../shared/result';
import { BundleRefused } from '../../bundles/canonicalZip';
import { readBundleContents, verifyBundleFile } from '../../bundles/verifyBundle';
import { fileTrust, workspaceTrust } from '../../services/keys';
import { globalOptions, withWorkspace } from '../context';
import { printJson, printLine, printTable } from '../output';

/** `--trust KEY.pub` or a folder of *.pub / *.pem files: only those keys are trusted. */
export function trustFromPath(path: string) {
  const full = resolve(path);
  let files: string[];
  try {
    files = statSync(full).isDirectory()
      ? readdirSync(full)
          .filter((f) => /\.(pub|pem)$/.test(f))
          .sort()
          .map((f) => join(full, f))
      : [full];
  } catch {
    throw new AppError('INVALID_INPUT', `--trust ${path}: there is no such file or folder.`);
  }
  if (files.length === 0) throw new AppError('INVALID_INPUT', `--trust ${path}: the folder holds no .pub or .pem public keys.`);
  return fileTrust(
    files.map((f) => {
      try {
        return { pem: readFileSync(f, 'utf8'), label: basename(f) };
      } catch {
        throw new AppError('INVALID_INPUT', `--trust ${f}: the file cannot be read.`);
      }
    }),
  );
}

function countsLine(counts: NonNullable<VerifyReport['counts']>): string {
  const records = Object.entries(counts.records)
    .filter(([, n]) => n > 0)
    .map(([folder, n]) => `${n} ${folder}`)
    .join(', ');
  return `${records || 'no records'}; ${counts.attachments} attachment file(s); ${counts.forwarded} forwarded bundle(s)`;
}

function printReport(report: VerifyReport): void {
  const s = report.signer!;
  printLine(`Valid: signed by ${s.name} (${s.org}), key ${fingerprintOf(s.key_id)}, trusted as ${s.trusted_as ?? s.role}.`);
  if (report.handling) printLine(`Marking: ${handlingLine(report.handling)}`);
  printLine(`Bundle: ${report.id ?? ''}, created ${report.created_at ?? ''}`);
  if (report.counts) printLine(`Holds: ${countsLine(report.counts)}`);
  for (const f of report.forwarded) printLine(`Forwarded ${f.sha256.slice(0, 12)}…: valid, signed by ${f.signer_name ?? '?'} (${fingerprintOf(f.signer_key_id ?? '')})`);
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('Check a signed bundle: its ZIP form, the signature by a trusted key, every digest, the records and forwarded bundles')
    .argument('<file.evb>', 'the bundle')
    .option('--trust <key.pub|dir>', 'trust only this public key (or the keys in this folder) instead of the workspace’s trust store')
    .addHelpText('after', '\nExits 0 only when the bundle is valid; otherwise prints the first reason and exits 1.')
    .action(async (file: string, o: { trust?: string }, cmd: Command) => {
      const { json } = globalOptions(cmd);
      const run = async (trust: ReturnType<typeof fileTrust>) => verifyBundleFile(resolve(file), { trust });
      // With --trust no workspace is needed: a clearinghouse analyst may have none.
      const report = o.trust ? await run(trustFromPath(o.trust)) : await withWorkspace(cmd, (ws) => (ws.requireIdentity(), run(workspaceTrust(ws))));
      if (json) printJson(report);
      else if (report.valid) printReport(report);
      if (!report.valid) {
        if (!json) process.stderr.write(`evalnotes: not valid: ${report.reason ?? 'unknown reason'}\n`);
        process.exitCode = 1;
      }
    });

  program
    .command('show')
    .description('List what a bundle holds (entries, sizes, manifest) without verifying its signature')
    .argument('<file.evb>', 'the bundle')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const { json } = globalOptions(cmd);
      let contents;
      try {
        contents = await readBundleContents(resolve(file));
      } catch (error) {
        if (error instanceof BundleRefused) throw new AppError('INVALID_INPUT', error.message);
        throw error;
      }
      if (json) return printJson({ verified: false, ...contents });
      const m = contents.manifest;
      printLine('Not verified: run `evalnotes verify` to check the signature and digests.');
      if (m) {
        printLine(`Signer (claimed): ${m.created_by.name} (${m.created_by.org}), ${m.created_by.role}, key ${fingerprintOf(m.created_by.key_id)}`);
        printLine(`Marking: ${handlingLine(m.handling)}`);
        printLine(`Bundle: ${m.id}, created ${m.created_at}, EvalNotes ${m.app_version}`);
        printLine(`Holds: ${countsLine(m.counts)}`);
        printLine(`Selection: engagement ${m.selection.engagement_id}, ${m.selection.findings ? `${m.selection.findings.length} finding(s)` : 'all findings'}, thresholds ${m.selection.include_thresholds ? 'included' : 'not included'}`);
      }
      printLine();
      printTable(
        ['BYTES', 'ENTRY'],
        contents.entries.map((e) => [String(e.size), e.name]),
      );
    });
}
