import type { Command } from 'commander';
import { decryptWorkspace, encryptWorkspace, type ConversionSummary } from '../../workspace/convertEncryption';
import { globalOptions } from '../context';
import { printJson, printLine } from '../output';
import { readPassphrase } from '../prompt';

const HOW = `
The passphrase is read from EVALNOTES_PASSPHRASE, or asked for at the terminal.
Close the app and \`evalnotes serve\` on this workspace first: conversion needs it alone.
The converted copy is built beside the workspace, checked (row counts, the audit
chain, every file's SHA-256) and only then swapped in; on any failure nothing changes.`;

export function registerEncryption(program: Command): void {
  program
    .command('encrypt')
    .description('Encrypt an existing workspace at rest (database and files), keeping everything in it')
    .addHelpText('after', HOW)
    .action(async (_o: unknown, cmd: Command) => run(cmd, 'encrypt'));
  program
    .command('decrypt')
    .description('Turn an encrypted workspace back into a plain one, keeping everything in it')
    .addHelpText('after', HOW)
    .action(async (_o: unknown, cmd: Command) => run(cmd, 'decrypt'));
}

async function run(cmd: Command, to: 'encrypt' | 'decrypt'): Promise<void> {
  const { dataDir, json } = globalOptions(cmd);
  const passphrase = await readPassphrase('Passphrase: ');
  const tty = !json && process.stderr.isTTY;
  const progress = (message: string) => {
    if (tty) process.stderr.write(`\r\u001b[2K${message}`);
  };
  const summary: ConversionSummary = await (to === 'encrypt' ? encryptWorkspace : decryptWorkspace)(dataDir, passphrase, { progress });
  if (tty) process.stderr.write('\r\u001b[2K');
  if (json) return printJson(summary);
  printLine(`The workspace in ${summary.data_dir} is ${summary.encrypted ? 'encrypted' : 'plain'} now.`);
  printLine(`Kept ${summary.rows} rows in ${summary.tables} tables, ${summary.audit_events} audit events (chain verified) and ${summary.blobs} files (each SHA-256 checked).`);
}
