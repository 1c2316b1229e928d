import type { Command } from 'commander';
import type { Identity } from '../../../shared/domain/identity';
import { parseCallInput } from '../../api/dispatch';
import { Workspace } from '../../workspace/workspace';
import { globalOptions, withWorkspace } from '../context';
import { printJson, printLine } from '../output';
import { readPassphrase } from '../prompt';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Create this workspace’s identity: your name, organisation, role and a signing key under a passphrase')
    .requiredOption('--name <name>', 'your name, as signers are shown to others')
    .requiredOption('--org <org>', 'your organisation')
    .requiredOption('--role <role>', 'evaluator or supervisor')
    .option('--encrypt', 'encrypt the workspace at rest (its database and files) under keys from the passphrase')
    .addHelpText('after', '\nThe passphrase is read from EVALNOTES_PASSPHRASE, or asked for twice at the terminal.')
    .action(async (o: { name: string; org: string; role: string; encrypt?: boolean }, cmd: Command) => {
      const fields = { name: o.name, org: o.org, role: o.role };
      const report = (ws: Workspace, identity: Identity, json: boolean) => {
        if (json) return printJson({ data_dir: ws.dataDir, identity, ...(ws.encrypted ? { encrypted: true } : {}) });
        printLine(`Created the ${ws.encrypted ? 'encrypted ' : ''}workspace in ${ws.dataDir} for ${identity.name} (${identity.org}, ${identity.role}).`);
        printLine(`Key id:      ${identity.key_id}`);
        printLine(`Fingerprint: ${identity.fingerprint}`);
      };
      if (o.encrypt) {
        const { dataDir, json } = globalOptions(cmd);
        parseCallInput('workspace:create', { ...fields, passphrase: 'x'.repeat(12) });
        const passphrase = await readPassphrase('Choose a passphrase (at least 12 characters): ', { confirm: true });
        const ws = await Workspace.createEncrypted({ dataDir }, parseCallInput('workspace:create', { ...fields, passphrase }));
        try {
          return report(ws, ws.requireIdentity(), json);
        } finally {
          ws.close();
        }
      }
      await withWorkspace(
        cmd,
        async (ws, { json }) => {
          // Validate everything but the passphrase before asking for it.
          parseCallInput('workspace:create', { ...fields, passphrase: 'x'.repeat(12) });
          const passphrase = await readPassphrase('Choose a passphrase (at least 12 characters): ', { confirm: true });
          const identity = await ws.create(parseCallInput('workspace:create', { ...fields, passphrase }));
          report(ws, identity, json);
        },
        { unlock: false },
      );
    });
}
