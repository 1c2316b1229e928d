import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { EvalNotesApp } from '../../main/app/createApp';
import { buildBundle, contentFromWorkspace, manifestFor, signerOf } from '../helpers/bundleFactory';
import { makeTestApp, TEST_PASSPHRASE } from '../helpers/app';
import { fixture } from '../helpers/fixtures';

/** Everything a crash worker needs, written once per workspace by the harness. */
export const CrashSetup = z.strictObject({
  dataDir: z.string(),
  scratch: z.string(),
  journal: z.string(),
  passphrase: z.string(),
  logs: z.array(z.string()),
  bundles: z.array(z.string()),
});
export type CrashSetup = z.infer<typeof CrashSetup>;

/** Small real logs from the team's fixtures: each import writes a run, results and samples, and stores the log as a blob. */
const LOGS = [
  fixture('inspect_json', 'inspect_ai__2024-11-05_input-task.json'),
  fixture('inspect_json', 'inspect_ai__log_read_sample.json'),
  fixture('inspect_eval', 'inspect_ai__2024-11-05_input-task.eval'),
  fixture('inspect_eval', 'inspect_ai__log_formats.eval'),
];

export const setupPath = (root: string) => join(root, 'setup.json');
export const readSetup = (root: string) => CrashSetup.parse(JSON.parse(readFileSync(setupPath(root), 'utf8')));

async function must<T>(app: EvalNotesApp, call: string, input: unknown): Promise<T> {
  const r = await app.dispatch(call, input);
  if (!r.ok) throw new Error(`${call}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

/**
 * Three signed bundles by a peer the crash workspace trusts, each a later state
 * of the same records (edits, notes, an attachment), so ingests add, update and skip.
 */
async function peerBundles(root: string): Promise<{ bundles: string[]; peer: { public_key_pem: string; name: string } }> {
  const peer = makeTestApp({ dataDir: join(root, 'peer') });
  try {
    await must(peer.app, 'workspace:create', { name: 'Grace Peer', org: 'Partner Institute', role: 'evaluator', passphrase: TEST_PASSPHRASE });
    const eng = (await must<{ id: string }>(peer.app, 'engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER' } })).id;
    const finding = (await must<{ id: string }>(peer.app, 'finding:create', { engagement_id: eng, title: 'Peer finding', kind: 'capability', severity: 'high' })).id;
    const evidence = join(root, 'peer-evidence.bin');
    const bundles: string[] = [];
    const snapshot = () => {
      const ws = peer.app.workspace;
      const { files, newest, engagementId } = contentFromWorkspace(ws);
      const signer = signerOf(ws);
      const path = join(root, `peer-${bundles.length + 1}.evb`);
      writeFileSync(path, buildBundle(files, signer, manifestFor(files, signer, newest, engagementId)));
      bundles.push(path);
    };
    snapshot();
    writeFileSync(evidence, Buffer.from('peer evidence: transcript excerpt\n'.repeat(200)));
    await must(peer.app, 'attachment:add', { engagement_id: eng, file: peer.app.files.register(evidence, 'read') });
    await must(peer.app, 'finding:update', { id: finding, changes: { title: 'Peer finding, reproduced' } });
    await must(peer.app, 'note:create', { on: { type: 'finding', id: finding }, body: 'Reproduced on rc3.' });
    snapshot();
    await must(peer.app, 'finding:setStatus', { id: finding, status: 'submitted' });
    await must(peer.app, 'note:create', { on: { type: 'engagement', id: eng }, body: 'Access window confirmed.' });
    snapshot();
    const id = peer.app.workspace.requireIdentity();
    return { bundles, peer: { public_key_pem: id.public_key_pem, name: id.name } };
  } finally {
    await peer.cleanup();
  }
}

/** A fresh crash workspace under `root`: identity (test KDF), trust in the peer, bundles, setup.json. */
export async function prepareCrashWorkspace(root: string): Promise<CrashSetup> {
  mkdirSync(root, { recursive: true });
  const { bundles, peer } = await peerBundles(root);
  const dataDir = join(root, 'workspace');
  const t = makeTestApp({ dataDir });
  try {
    await must(t.app, 'workspace:create', { name: 'Sam Crash', org: 'Evaluation Institute', role: 'evaluator', passphrase: TEST_PASSPHRASE });
    await must(t.app, 'keys:trust', { public_key_pem: peer.public_key_pem, name: peer.name, role: 'evaluator' });
  } finally {
    await t.cleanup();
  }
  const setup: CrashSetup = { dataDir, scratch: join(root, 'scratch'), journal: join(root, 'journal.jsonl'), passphrase: TEST_PASSPHRASE, logs: LOGS, bundles };
  mkdirSync(setup.scratch, { recursive: true });
  writeFileSync(setupPath(root), JSON.stringify(setup));
  return setup;
}
