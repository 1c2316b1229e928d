#!/usr/bin/env node
/**
 * `evalnotes`: the scripts' and the clearinghouse's door. Every command exits 0
 * on success; on failure it prints one line on stderr and exits non-zero, never
 * a stack trace for bad input.
 */
import { Command, CommanderError } from 'commander';
import { AppError } from '../../shared/result';
import { version } from '../../package.json';
import { registerAudit } from './commands/audit';
import { registerBackup } from './commands/backup';
import { registerBundles } from './commands/bundles';
import { registerCsaf } from './commands/csaf';
import { registerEncryption } from './commands/encryption';
import { registerIngest } from './commands/ingest';
import { registerKeys } from './commands/keys';
import { registerVerify } from './commands/verify';
import { flagFor, registerEngagements } from './commands/engagements';
import { registerFindings } from './commands/findings';
import { registerInit } from './commands/init';
import { registerNotebook } from './commands/notebook';
import { registerResults } from './commands/results';
import { registerReviews } from './commands/reviews';
import { registerReport } from './commands/report';
import { registerServe } from './commands/serve';
import { registerSummary } from './commands/summary';

/** Exit codes: 1 refused or failed, 2 usage error, 70 internal error. */
const EXIT = { failed: 1, usage: 2, internal: 70 } as const;

function buildProgram(): Command {
  const program = new Command('evalnotes')
    .description('EvalNotes: an offline notebook for frontier AI model evaluations')
    .version(version, '-V, --version', 'print the EvalNotes version')
    .option('--data-dir <dir>', 'the workspace folder (default: $EVALNOTES_DATA_DIR or the desktop app’s)')
    .option('--json', 'machine-readable output')
    .exitOverride()
    // One line, in the same form as every other failure.
    .configureOutput({ outputError: (text, write) => write(`evalnotes: ${(text.split('\n')[0] ?? '').replace(/^error: /, '')} (see --help)\n`) });
  registerInit(program);
  registerEncryption(program);
  registerEngagements(program);
  registerResults(program);
  registerFindings(program);
  registerNotebook(program);
  registerBundles(program);
  registerCsaf(program);
  registerKeys(program);
  registerVerify(program);
  registerIngest(program);
  registerAudit(program);
  registerBackup(program);
  registerReport(program);
  registerReviews(program);
  registerServe(program);
  registerSummary(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Schema messages name fields; on the command line people know them as flags. */
function cliMessage(error: AppError): string {
  if (error.code !== 'INVALID_INPUT') return error.message;
  return error.message.replace(/^([a-z_]+(?:\.[a-z0-9_]+)*): /, (_m, field: string) => `${flagFor(field)}: `);
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "errors" are successes; commander already printed the message.
      return error.exitCode === 0 ? 0 : EXIT.usage;
    }
    if (error instanceof AppError) {
      process.stderr.write(`evalnotes: ${cliMessage(error)}\n`);
      return EXIT.failed;
    }
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(`evalnotes: internal error: ${message}\n`);
    if (process.env.EVALNOTES_DEBUG) process.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
    return EXIT.internal;
  }
}

main(process.argv).then(
  (code) => (process.exitCode = code),
  () => (process.exitCode = EXIT.internal),
);
