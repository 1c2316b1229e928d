import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/result';
import { parseCallInput } from '../../api/dispatch';
import { CsafService } from '../../services/csaf';
import { FindingService } from '../../services/findings';
import { withWorkspace } from '../context';
import { printJson, printLine } from '../output';
import { version } from '../../../package.json';

/** parseCallInput, with the schema's field names as this command's flags. */
function parseFlags(input: unknown) {
  try {
    return parseCallInput('finding:csaf', input);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'INVALID_INPUT') throw error;
    throw new AppError('INVALID_INPUT', error.message.replace(/^finding_id: /, '--finding: ').replace(/^namespace: /, '--namespace: '));
  }
}

/** `evalnotes csaf`: the clearinghouse's door to vendors and operators. No signature, so no passphrase. */
export function registerCsaf(program: Command): void {
  program
    .command('csaf')
    .description('Write a software-vulnerability finding as a CSAF 2.0 security advisory (JSON)')
    .requiredOption('--finding <id>', 'the finding to write')
    .requiredOption('--out <file.json>', 'where to write the advisory')
    .option('--namespace <url>', 'the publisher’s namespace, a URL your organisation controls (default: a URN made from its name)')
    .action(async (o: { finding: string; out: string; namespace?: string }, cmd: Command) => {
      await withWorkspace(cmd, async (ws, { json }) => {
        const input = parseFlags({ finding_id: o.finding, to: null, ...(o.namespace !== undefined ? { namespace: o.namespace } : {}) });
        const out = resolve(o.out);
        if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) throw new AppError('INVALID_INPUT', `--out ${o.out}: its folder does not exist.`);
        if (existsSync(out) && statSync(out).isDirectory()) throw new AppError('INVALID_INPUT', `--out ${o.out}: that is a folder; name a file.`);
        ws.requireIdentity();
        const csaf = new CsafService(ws, new FindingService(ws), { appVersion: version });
        const written = await csaf.writeTo(input.finding_id, out, { namespace: input.namespace });
        if (json) return printJson({ ...written, file: out });
        printLine(`CSAF advisory ${written.tracking_id} (${written.status}, version ${written.version}, ${written.marking})`);
        printLine(`  written to ${out} (${written.bytes} bytes)`);
      });
    });
}
