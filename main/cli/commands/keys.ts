import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { TrustedKey } from '../../../shared/domain/bundle';
import { KeyId } from '../../../shared/domain/ids';
import { AppError } from '../../../shared/result';
import { parseCallInput } from '../../api/dispatch';
import { KeyService } from '../../services/keys';
import { withWorkspace } from '../context';
import { printJson, printLine, printTable } from '../output';
import { readPassphrase } from '../prompt';

function readKeyFile(path: string): string {
  try {
    return readFileSync(resolve(path), 'utf8');
  } catch {
    throw new AppError('INVALID_INPUT', `${path}: there is no such file, or it cannot be read.`);
  }
}

/** "rotated from 1a2b3c4d…", "lost; re-assigned to …", for the list. */
function successionText(k: TrustedKey): string {
  const parts: string[] = [];
  if (k.succeeds) parts.push(`${k.succeeds.kind === 'rotation' ? 'rotated' : 're-assigned'} from ${k.succeeds.key_id.slice(0, 8)}…`);
  if (k.succeeded_by) parts.push(`${k.succeeded_by.kind === 'rotation' ? 'rotated' : 'lost; re-assigned'} to ${k.succeeded_by.key_id.slice(0, 8)}…`);
  return parts.join('; ');
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('Your signing key and the keys whose bundles you trust');

  keys
    .command('show')
    .description('Show this workspace’s key id, its read-aloud fingerprint and public key')
    .action(async (_o: unknown, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const id = new KeyService(ws).show();
        if (json) return printJson(id);
        printLine(`${id.name} (${id.org}), ${id.role}`);
        printLine(`Key id:      ${id.key_id}`);
        printLine(`Fingerprint: ${id.fingerprint}`);
        for (const former of id.former_key_ids ?? []) printLine(`Former key:  ${former}`);
        printLine();
        process.stdout.write(id.public_key_pem);
      });
    });

  keys
    .command('list')
    .description('List the trust store')
    .action(async (_o: unknown, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const list = new KeyService(ws).list();
        if (json) return printJson(list);
        if (list.length === 0) return printLine('No trusted keys yet; add one with `evalnotes keys trust KEY.pub --name N --role R`.');
        printTable(
          ['KEY ID', 'NAME', 'ROLE', 'TRUSTED', 'UNTRUSTED', 'SUCCESSION'],
          list.map((k) => [k.key_id.slice(0, 16), k.name, k.role, k.trusted_at.slice(0, 10), k.untrusted_at?.slice(0, 10) ?? '', successionText(k)]),
        );
      });
    });

  keys
    .command('export-public')
    .description('Write this workspace’s public key (SPKI PEM, which openssl reads) to a file')
    .requiredOption('--out <file.pub>', 'where to write it')
    .action(async (o: { out: string }, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const id = new KeyService(ws).show();
        const out = resolve(o.out);
        writeFileSync(out, id.public_key_pem);
        if (json) printJson({ file: out, key_id: id.key_id, fingerprint: id.fingerprint });
        else printLine(`Wrote ${out} (key ${id.fingerprint}).`);
      });
    });

  keys
    .command('trust')
    .description('Trust a public key: bundles it signs are accepted')
    .argument('<file.pub>', 'the signer’s public key (SPKI PEM, from `evalnotes keys export-public`)')
    .requiredOption('--name <name>', 'whose key it is')
    .addOption(new Option('--role <role>', 'what it is trusted as').choices(['evaluator', 'supervisor']).makeOptionMandatory())
    .action(async (file: string, o: { name: string; role: string }, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const input = parseCallInput('keys:trust', { public_key_pem: readKeyFile(file), name: o.name, role: o.role });
        const k = new KeyService(ws).trust(input);
        if (json) printJson(k);
        else printLine(`Trusted ${k.name} as ${k.role}: key ${k.key_id}.`);
      });
    });

  keys
    .command('untrust')
    .description('Stop trusting a key: its bundles are refused from now on, and what it signed before is flagged')
    .argument('<key-id>', 'the key id (see `evalnotes keys list --json`)')
    .action(async (keyId: string, _o: unknown, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const { key_id } = parseCallInput('keys:untrust', { key_id: keyId });
        const k = new KeyService(ws).untrust(key_id);
        if (json) printJson(k);
        else printLine(`Untrusted ${k.name} (${k.key_id.slice(0, 16)}…) since ${k.untrusted_at ?? ''}.`);
      });
    });

  keys
    .command('rotate')
    .description('Replace your signing key with a new one; the old key signs the hand-over, which your later bundles carry')
    .addHelpText(
      'after',
      '\nPeers who trust your old key accept the new one from your next bundle. The old private key is destroyed here.\nScripts set EVALNOTES_PASSPHRASE; otherwise it is asked for.',
    )
    .action(async (_o: unknown, cmd: Command) => {
      await withWorkspace(cmd, async (ws, { json }) => {
        const before = ws.requireIdentity();
        const input = parseCallInput('keys:rotate', { passphrase: await readPassphrase('Passphrase: ') });
        const after = await new KeyService(ws).rotate(input.passphrase);
        if (json) return printJson(after);
        printLine(`Rotated your key: ${before.key_id.slice(0, 16)}… is replaced by ${after.key_id}.`);
        printLine(`Fingerprint: ${after.fingerprint}`);
        printLine('Your next bundles carry the rotation; give `evalnotes keys export-public` to anyone who trusts you by file.');
      });
    });

  keys
    .command('reassign')
    .description('Supervisors: give the author of a lost key a new key (a statement signed by your key)')
    .requiredOption('--lost <key-id>', 'the lost key (see `evalnotes keys list --json`)')
    .requiredOption('--new <file.pub>', 'the public key of the author’s new identity (SPKI PEM)')
    .addHelpText('after', '\nThe lost key’s bundles are refused from then on; what it signed before stays. Scripts set EVALNOTES_PASSPHRASE.')
    .action(async (o: { lost: string; new: string }, cmd: Command) => {
      await withWorkspace(cmd, async (ws, { json }) => {
        if (!KeyId.safeParse(o.lost).success) throw new AppError('INVALID_INPUT', `--lost: must be a 64-character lowercase hex key id (see \`evalnotes keys list --json\`).`);
        const input = parseCallInput('keys:reassign', { lost_key_id: o.lost, new_public_key_pem: readKeyFile(o.new) });
        if (ws.requireIdentity().role !== 'supervisor') {
          throw new AppError('FORBIDDEN', 'Only a supervisor can re-assign a lost key, and this workspace’s role is evaluator; nothing was changed.');
        }
        if (!ws.unlocked) await ws.unlock(await readPassphrase('Passphrase: '));
        const k = new KeyService(ws).reassign(input);
        if (json) return printJson(k);
        printLine(`Re-assigned ${k.name}’s lost key ${input.lost_key_id.slice(0, 16)}… to ${k.key_id}.`);
        printLine('Its bundles are refused from now on; your next bundles carry the re-assignment to everyone who trusts you as a supervisor.');
      });
    });

  keys
    .command('passphrase')
    .description('Change the passphrase (the master key is rewrapped; nothing else changes)')
    .addHelpText('after', '\nScripts set EVALNOTES_PASSPHRASE (current) and EVALNOTES_NEW_PASSPHRASE (new); otherwise both are asked for.')
    .action(async (_o: unknown, cmd: Command) => {
      await withWorkspace(cmd, async (ws, { json }) => {
        ws.requireIdentity();
        const current = await readPassphrase('Current passphrase: ');
        const fromEnv = process.env.EVALNOTES_NEW_PASSPHRASE;
        let next: string;
        if (fromEnv) next = fromEnv;
        else if (process.env.EVALNOTES_PASSPHRASE) throw new AppError('INVALID_INPUT', 'Set EVALNOTES_NEW_PASSPHRASE too: the new passphrase cannot come from EVALNOTES_PASSPHRASE.');
        else next = await readPassphrase('New passphrase (at least 12 characters): ', { confirm: true });
        const input = parseCallInput('keys:changePassphrase', { current, next });
        await new KeyService(ws).changePassphrase(input.current, input.next);
        if (json) printJson({ changed: true });
        else printLine('Passphrase changed.');
      });
    });
}
