import type { Command } from 'commander';
import { parseCallInput } from '../../api/dispatch';
import { withWorkspace } from '../context';
import { printJson, printLine } from '../output';
import { readPassphrase } from '../prompt';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Create this workspace’s identity: your name, organisation, role and a signing key under a passphrase')
    .requiredOption('--name <name>', 'your name, as signers are shown to others')
    .requiredOption('--org <org>', 'your organisation')
    .requiredOption('--role <role>', 'evaluator or supervisor')
    .addHelpText('after', '\nThe passphrase is read from EVALNOTES_PASSPHRASE, or asked for twice at the terminal.')
    .action(async (o: { name: string; org: string; role: string }, cmd: Command) => {
      await withWorkspace(cmd, async (ws, { json }) => {
        // Validate everything but the passphrase before asking for it.
        parseCallInput('workspace:create', { ...o, passphrase: 'x'.repeat(12) });
        const passphrase = await readPassphrase('Choose a passphrase (at least 12 characters): ', { confirm: true });
        const identity = await ws.create(parseCallInput('workspace:create', { ...o, passphrase }));
        if (json) return printJson({ data_dir: ws.dataDir, identity });
        printLine(`Created the workspace in ${ws.dataDir} for ${identity.name} (${identity.org}, ${identity.role}).`);
        printLine(`Key id:      ${identity.key_id}`);
        printLine(`Fingerprint: ${identity.fingerprint}`);
      });
    });
}
