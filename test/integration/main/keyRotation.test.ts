/**
 * Key rotation and lost-key re-assignment (issue 7), through real bundles
 * between real workspaces: what a peer who trusted only the old key accepts,
 * what is refused, and that an author's records stay theirs across keys.
 */
import { createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBundleContents, verifyBundleFile } from '../../../main/bundles/verifyBundle';
import { keyIdOf } from '../../../main/identity/keys';
import { signSuccession } from '../../../main/identity/successionStatements';
import { fileTrust } from '../../../main/services/keys';
import { canonicalJson } from '../../../shared/canonical';
import { preAuthEncoding, type TrustedKey, type VerifyReport } from '../../../shared/domain/bundle';
import type { Finding, FindingView } from '../../../shared/domain/finding';
import type { Identity } from '../../../shared/domain/identity';
import { KEY_SUCCESSION_PAYLOAD_TYPE, keyStatementEntry } from '../../../shared/domain/keySuccession';
import type { DeterminationView, Review } from '../../../shared/domain/review';
import { TEST_PASSPHRASE, type TestApp } from '../../helpers/app';
import { peopleInOneProcess } from '../../helpers/people';

const { call, refusal, person, trust, exportEngagement, runJob, ingest, ingestRefused, bundlePath, exportedCount } = peopleInOneProcess('evalnotes-key-rotation-');

const identity = (t: TestApp): Identity => t.app.workspace.requireIdentity();

const engagementInput = { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER' } };
const trustedKey = async (t: TestApp, keyId: string) => (await call<TrustedKey[]>(t, 'keys:list', {})).find((k) => k.key_id === keyId);
const recordCount = (t: TestApp) => t.app.workspace.db.prepare('SELECT count(*) FROM records').pluck().get() as number;
const successionRows = (t: TestApp) => t.app.workspace.db.prepare('SELECT old_key_id, new_key_id, kind, signed_by FROM key_successions ORDER BY old_key_id').all();

describe('key rotation', () => {
  it('Sam, who trusted only Ada’s old key, follows her to the new one, and her edit of an earlier finding merges as hers', async () => {
    const ada = await person('Ada Lovelace', 'evaluator');
    const sam = await person('Sam Supervisor', 'supervisor');
    const eng = (await call<{ id: string }>(ada, 'engagement:create', engagementInput)).id;
    const finding = await call<Finding>(ada, 'finding:create', { engagement_id: eng, title: 'Chains two bugs in an ICS web UI', kind: 'capability', severity: 'high' });
    const before = identity(ada);
    await trust(sam, ada);
    await ingest(sam, await exportEngagement(ada, eng));
    const sealedBefore = ada.app.workspace.db.prepare('SELECT encrypted_signing_key FROM identity').pluck().get() as string;
    const oldCiphertext = Buffer.from((JSON.parse(sealedBefore) as { ct: string }).ct);
    const workspaceFiles = () => Buffer.concat(['evalnotes.db', 'evalnotes.db-wal'].flatMap((f) => (existsSync(join(ada.dataDir, f)) ? [readFileSync(join(ada.dataDir, f))] : [])));
    expect(workspaceFiles().includes(oldCiphertext)).toBe(true);

    // A wrong passphrase changes nothing.
    expect(await refusal(ada, 'keys:rotate', { passphrase: 'not the passphrase at all' })).toMatch(/^BAD_PASSPHRASE: /);
    expect(identity(ada).key_id).toBe(before.key_id);

    const after = await call<Identity>(ada, 'keys:rotate', { passphrase: TEST_PASSPHRASE });
    expect(after.key_id).not.toBe(before.key_id);
    expect(after.former_key_ids).toEqual([before.key_id]);
    expect(after).toMatchObject({ name: 'Ada Lovelace', role: 'evaluator' });

    // The old private key is gone from the workspace's files, and unlocking gives the new key.
    expect(workspaceFiles().includes(oldCiphertext)).toBe(false);
    ada.app.workspace.lock();
    await ada.app.workspace.unlock(TEST_PASSPHRASE);
    expect(keyIdOf(ada.app.workspace.requireUnlocked().publicKey)).toBe(after.key_id);

    // The statement is signed by the old key, and anyone holding the old public key can check it.
    const envelope = JSON.parse(ada.app.workspace.db.prepare('SELECT envelope FROM key_successions').pluck().get() as string) as {
      payloadType: string;
      payload: string;
      signatures: { keyid: string; sig: string }[];
    };
    const payload = Buffer.from(envelope.payload, 'base64');
    expect(JSON.parse(payload.toString())).toMatchObject({ kind: 'rotation', old_key_id: before.key_id, new_key_id: after.key_id, new_public_key_pem: after.public_key_pem });
    expect(envelope.signatures[0]!.keyid).toBe(before.key_id);
    expect(verify(null, preAuthEncoding(KEY_SUCCESSION_PAYLOAD_TYPE, payload), createPublicKey(before.public_key_pem), Buffer.from(envelope.signatures[0]!.sig, 'base64'))).toBe(true);

    // Ada keeps editing the finding she wrote under the old key: it keeps its author.
    const edited = await call<Finding>(ada, 'finding:update', { id: finding.id, changes: { title: 'Chains two bugs in an ICS web UI to run commands' } });
    expect(edited).toMatchObject({ author: before.key_id, revision: 2 });
    const bundle = await exportEngagement(ada, eng);
    expect((await readBundleContents(bundle)).entries.map((e) => e.name)).toContain(keyStatementEntry(before.key_id));

    // Sam verifies it with nothing but the old key in his trust store…
    const verified = await runJob(sam, 'bundle:verify', bundle);
    expect(verified.ok && (verified.result as VerifyReport)).toMatchObject({ valid: true, signer: { key_id: after.key_id, name: 'Ada Lovelace', role: 'evaluator', trusted: true } });
    expect(verified.ok && (verified.result as VerifyReport).signer?.trusted_as).toMatch(/^evaluator, rotated from key [0-9a-f]{8}…$/);
    // …as does anyone given only the old public key file, offline.
    expect(await verifyBundleFile(bundle, { trust: fileTrust([{ pem: before.public_key_pem, label: 'ada-old.pub' }]) })).toMatchObject({ valid: true });
    expect(await verifyBundleFile(bundle, { trust: fileTrust([{ pem: identity(sam).public_key_pem, label: 'sam.pub' }]) })).toMatchObject({ valid: false });

    // …ingests it, trusts the new key as Ada, and takes the edit as revision 2 of her finding.
    const summary = await ingest(sam, bundle);
    expect(summary.by_type.findings).toEqual({ added: 0, updated: 1, skipped: 0 });
    expect(await call<FindingView>(sam, 'finding:get', { id: finding.id })).toMatchObject({ finding: { author: before.key_id, revision: 2, title: 'Chains two bugs in an ICS web UI to run commands' } });
    expect(await trustedKey(sam, after.key_id)).toMatchObject({
      name: 'Ada Lovelace',
      role: 'evaluator',
      untrusted_at: null,
      succeeds: { key_id: before.key_id, kind: 'rotation', signed_by: before.key_id },
    });
    expect(await trustedKey(sam, before.key_id)).toMatchObject({ untrusted_at: null, succeeded_by: { key_id: after.key_id, kind: 'rotation' } });

    // Ada's next bundle verifies at Sam's on the new key alone; her old bundle still does too.
    await call(ada, 'finding:create', { engagement_id: eng, title: 'Writes a working exploit', kind: 'capability', severity: 'critical' });
    expect((await ingest(sam, await exportEngagement(ada, eng))).by_type.findings).toEqual({ added: 1, updated: 0, skipped: 1 });
    expect((await runJob(sam, 'bundle:verify', bundlePath(exportedCount() - 2))).ok).toBe(true);

    // Untrusting the old key untrusts the new one with it.
    await call(sam, 'keys:untrust', { key_id: before.key_id });
    expect((await trustedKey(sam, after.key_id))?.untrusted_at).not.toBeNull();
    expect(await ingestRefused(sam, bundle)).toMatch(/^INVALID_INPUT: bundle-\d+\.evb is signed by Ada Lovelace, whose key \(.*\) was untrusted on 2026-03-12\.$/);
  });

  it('refuses a rotation signed by another key, one naming another old key, and one changed after signing', async () => {
    const ada = await person('Ada Lovelace', 'evaluator');
    const eve = await person('Eve Evaluator', 'evaluator');
    const sam = await person('Sam Supervisor', 'supervisor');
    const eng = (await call<{ id: string }>(ada, 'engagement:create', engagementInput)).id;
    await call<Finding>(ada, 'finding:create', { engagement_id: eng, title: 'Bypasses the refusal classifier', kind: 'safeguard-bypass', severity: 'high' });
    const old = identity(ada);
    // Kept by the test only: the workspace destroys it, and a forger does not have it either.
    const adasOldKey = ada.app.workspace.requireUnlocked().signingKey;
    await trust(sam, ada);
    await trust(sam, eve);
    const next = await call<Identity>(ada, 'keys:rotate', { passphrase: TEST_PASSPHRASE });
    await call<Finding>(ada, 'finding:create', { engagement_id: eng, title: 'Bypasses it again with the new key', kind: 'safeguard-bypass', severity: 'high' });
    const db = ada.app.workspace.db;
    const genuine = db.prepare('SELECT * FROM key_successions').get() as Record<string, string>;
    const restore = () => db.prepare('DELETE FROM key_successions').run() && db.prepare('INSERT INTO key_successions VALUES (@old_key_id, @new_key_id, @kind, @signed_by, @old_public_key_pem, @new_public_key_pem, @at, @recorded_at, @envelope)').run(genuine);
    const forge = (row: Record<string, string>) => {
      db.prepare('DELETE FROM key_successions').run();
      db.prepare('INSERT INTO key_successions VALUES (@old_key_id, @new_key_id, @kind, @signed_by, @old_public_key_pem, @new_public_key_pem, @at, @recorded_at, @envelope)').run({ ...genuine, ...row });
    };
    const evesKey = eve.app.workspace.requireUnlocked().signingKey;
    const eveId = identity(eve);
    const statement = { kind: 'rotation' as const, old: { key_id: old.key_id, public_key_pem: old.public_key_pem }, next: { key_id: next.key_id, public_key_pem: next.public_key_pem }, at: genuine.at! };
    const records = recordCount(sam);

    // Signed by Eve's key, not by the key it replaces.
    forge({ envelope: signSuccession(statement, evesKey, eveId.key_id).envelope, signed_by: eveId.key_id });
    expect(await ingestRefused(sam, await exportEngagement(ada, eng))).toMatch(/holds a rotation of key [0-9a-f]{8}… signed by key [0-9a-f]{8}…: a rotation is signed by the key it replaces, so it is refused\.$/);

    // Naming another old key (Eve's), signed by Ada's old key.
    forge({
      old_key_id: eveId.key_id,
      old_public_key_pem: eveId.public_key_pem,
      envelope: signSuccession({ ...statement, old: { key_id: eveId.key_id, public_key_pem: eveId.public_key_pem } }, adasOldKey, old.key_id).envelope,
    });
    expect(await ingestRefused(sam, await exportEngagement(ada, eng))).toMatch(
      new RegExp(`holds a rotation of key ${eveId.key_id.slice(0, 8)}… signed by key ${old.key_id.slice(0, 8)}…: a rotation is signed by the key it replaces, so it is refused\\.$`),
    );

    // The genuine statement with its new key changed after signing (Eve's key instead of Ada's new one).
    const env = JSON.parse(genuine.envelope!) as { payload: string };
    const changed = { ...JSON.parse(Buffer.from(env.payload, 'base64').toString()), new_key_id: eveId.key_id, new_public_key_pem: eveId.public_key_pem } as Record<string, unknown>;
    forge({ envelope: canonicalJson({ ...JSON.parse(genuine.envelope!), payload: Buffer.from(canonicalJson(changed)).toString('base64') }) });
    expect(await ingestRefused(sam, await exportEngagement(ada, eng))).toMatch(/whose signature does not verify with that key: it was forged or changed after signing\.$/);

    // Nothing of the refused bundles came in; the genuine statement still works.
    expect(recordCount(sam)).toBe(records);
    expect(await trustedKey(sam, next.key_id)).toBeUndefined();
    restore();
    expect((await ingest(sam, await exportEngagement(ada, eng))).totals.added).toBeGreaterThan(0);
    expect(await trustedKey(sam, next.key_id)).toMatchObject({ name: 'Ada Lovelace' });
  });

  it('refuses a rotation from a key that was untrusted', async () => {
    const ada = await person('Ada Lovelace', 'evaluator');
    const sam = await person('Sam Supervisor', 'supervisor');
    const eng = (await call<{ id: string }>(ada, 'engagement:create', engagementInput)).id;
    await call<Finding>(ada, 'finding:create', { engagement_id: eng, title: 'Leaks its system prompt', kind: 'other', severity: 'low' });
    const old = await trust(sam, ada);
    await call(sam, 'keys:untrust', { key_id: old.key_id });
    await call<Identity>(ada, 'keys:rotate', { passphrase: TEST_PASSPHRASE });
    expect(await ingestRefused(sam, await exportEngagement(ada, eng))).toMatch(
      /is signed by key [0-9a-f]{8}…, the successor of Ada Lovelace's key [0-9a-f]{8}…, which was untrusted here on 2026-03-12\.$/,
    );
    expect(recordCount(sam)).toBe(0);
  });

  it('keeps a rotating supervisor’s reviews and determination counting, here and at the evaluator’s', async () => {
    const ada = await person('Ada Lovelace', 'evaluator');
    const sam = await person('Sam Supervisor', 'supervisor');
    const eng = (await call<{ id: string }>(ada, 'engagement:create', engagementInput)).id;
    const f = await call<Finding>(ada, 'finding:create', { engagement_id: eng, title: 'Writes working exploit code', kind: 'capability', severity: 'critical' });
    await trust(sam, ada);
    await trust(ada, sam);
    await ingest(sam, await exportEngagement(ada, eng));
    await call<Review>(sam, 'review:create', { finding_id: f.id, verdict: 'validated', comment: 'Reproduced.' });
    await call(sam, 'determination:record', { engagement_id: eng, decision: 'pending', rationale: 'Waiting for the rerun.' });
    await ingest(ada, await exportEngagement(sam, eng));

    const samOld = identity(sam).key_id;
    await call<Identity>(sam, 'keys:rotate', { passphrase: TEST_PASSPHRASE });
    expect(await call<FindingView>(sam, 'finding:get', { id: f.id })).toMatchObject({ shown_status: 'validated' });
    // His determination, written under the old key, is still his to revise.
    await call(sam, 'determination:record', { engagement_id: eng, decision: 'covered', rationale: 'The exploit finding is validated.' });
    const samsBundle = await exportEngagement(sam, eng);
    const summary = await ingest(ada, samsBundle);
    expect(summary.by_type.determinations).toEqual({ added: 0, updated: 1, skipped: 0 });
    expect(await call<DeterminationView>(ada, 'determination:get', { engagement_id: eng })).toMatchObject({ current: { decision: 'covered', author: samOld }, decided_by: 'Sam Supervisor' });
    expect(await call<FindingView>(ada, 'finding:get', { id: f.id })).toMatchObject({ shown_status: 'validated' });
    expect(await trustedKey(ada, identity(sam).key_id)).toMatchObject({ role: 'supervisor', succeeds: { key_id: samOld } });
  });
});

describe('lost-key re-assignment', () => {
  it('lets a supervisor give a lost key’s author a new key that peers who trust the supervisor accept', async () => {
    const sam = await person('Sam Supervisor', 'supervisor');
    const ada = await person('Ada Lovelace', 'evaluator');
    const oldBen = await person('Ben Evaluator', 'evaluator');
    const eng = (await call<{ id: string }>(oldBen, 'engagement:create', engagementInput)).id;
    const f = await call<Finding>(oldBen, 'finding:create', { engagement_id: eng, title: 'Plans a multi-stage intrusion', kind: 'capability', severity: 'high' });
    const bensOldBundle = await exportEngagement(oldBen, eng);
    const lost = identity(oldBen);
    for (const t of [sam, ada]) {
      await trust(t, oldBen);
      await ingest(t, bensOldBundle);
    }
    await trust(ada, sam);

    // Ben's laptop is gone; he starts a new identity and trusts Sam.
    const ben = await person('Ben Evaluator', 'evaluator');
    await trust(ben, sam);

    // An evaluator cannot re-assign a key.
    expect(await refusal(ada, 'keys:reassign', { lost_key_id: lost.key_id, new_public_key_pem: identity(ben).public_key_pem })).toBe(
      'FORBIDDEN: Only a supervisor can re-assign a lost key, and this workspace’s role is evaluator; nothing was changed.',
    );

    const reassigned = await call<TrustedKey>(sam, 'keys:reassign', { lost_key_id: lost.key_id, new_public_key_pem: identity(ben).public_key_pem });
    expect(reassigned).toMatchObject({ key_id: identity(ben).key_id, name: 'Ben Evaluator', role: 'evaluator', succeeds: { key_id: lost.key_id, kind: 'reassignment', signed_by: identity(sam).key_id } });
    expect(await refusal(sam, 'keys:reassign', { lost_key_id: lost.key_id, new_public_key_pem: identity(ada).public_key_pem })).toMatch(/^CONFLICT: Key [0-9a-f]{8}… was already replaced by key/);
    // Sam refuses the lost key's bundles from now on; what it signed before stays, not flagged.
    expect(await ingestRefused(sam, bensOldBundle)).toMatch(/is signed by Ben Evaluator, whose key \([0-9a-f ]+\) was reported lost on 2026-03-12; bundles it signs are refused\.$/);
    expect(await call<FindingView>(sam, 'finding:get', { id: f.id })).toMatchObject({ finding: { author: lost.key_id } });

    // Sam's bundle carries the re-assignment; Ben's new workspace learns its chain from it.
    await call<Review>(sam, 'review:create', { finding_id: f.id, verdict: 'validated', comment: 'Reproduced.' });
    await ingest(ben, await exportEngagement(sam, eng));
    expect(identity(ben).former_key_ids).toEqual([lost.key_id]);

    // Ben writes under his new key; Ada, who trusts Sam and Ben's lost key, ingests it as Ben's.
    const newEng = (await call<{ id: string }>(ben, 'engagement:create', { ...engagementInput, model_version: 'rc4' })).id;
    await call<Finding>(ben, 'finding:create', { engagement_id: newEng, title: 'Still plans intrusions on rc4', kind: 'capability', severity: 'high' });
    const bensNewBundle = await exportEngagement(ben, newEng);
    expect((await readBundleContents(bensNewBundle)).entries.map((e) => e.name)).toContain(keyStatementEntry(lost.key_id));
    const summary = await ingest(ada, bensNewBundle);
    expect(summary.report.signer).toMatchObject({ key_id: identity(ben).key_id, name: 'Ben Evaluator', trusted: true });
    expect(summary.report.signer?.trusted_as).toMatch(/^evaluator, re-assigned from lost key [0-9a-f]{8}… by Sam Supervisor$/);
    expect(summary.by_type.findings).toEqual({ added: 1, updated: 0, skipped: 0 });
    expect(await trustedKey(ada, identity(ben).key_id)).toMatchObject({ name: 'Ben Evaluator', role: 'evaluator', succeeds: { key_id: lost.key_id, kind: 'reassignment' } });
    expect(await trustedKey(ada, lost.key_id)).toMatchObject({ untrusted_at: null, succeeded_by: { key_id: identity(ben).key_id, kind: 'reassignment' } });
    // At Ada's too, the lost key's bundles are refused from now on, while Ben's earlier finding stays.
    expect(await ingestRefused(ada, bensOldBundle)).toMatch(/was reported lost on 2026-03-12; bundles it signs are refused\.$/);
    expect(await call<FindingView>(ada, 'finding:get', { id: f.id })).toMatchObject({ finding: { author: lost.key_id } });
  });

  it('refuses a re-assignment an evaluator issued, carried in their bundle', async () => {
    const ada = await person('Ada Lovelace', 'evaluator');
    const eve = await person('Eve Evaluator', 'evaluator');
    const ben = await person('Ben Evaluator', 'evaluator');
    const mallory = await person('Mallory', 'evaluator');
    for (const t of [ada, eve]) await trust(t, ben);
    await trust(ada, eve);
    const eng = (await call<{ id: string }>(eve, 'engagement:create', engagementInput)).id;
    await call<Finding>(eve, 'finding:create', { engagement_id: eng, title: 'Jailbreak by role play', kind: 'safeguard-bypass', severity: 'medium' });
    // Eve's workspace refuses; she forges the statement with her own key.
    const lost = identity(ben);
    const next = identity(mallory);
    const signed = signSuccession({ kind: 'reassignment', old: lost, next, at: '2026-03-12T10:00:00.000Z' }, eve.app.workspace.requireUnlocked().signingKey, identity(eve).key_id);
    eve.app.workspace.db
      .prepare('INSERT INTO key_successions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(lost.key_id, next.key_id, 'reassignment', identity(eve).key_id, lost.public_key_pem, next.public_key_pem, signed.statement.at, signed.statement.at, signed.envelope);
    expect(await ingestRefused(ada, await exportEngagement(eve, eng))).toMatch(
      /holds a re-assignment of key [0-9a-f]{8}… issued by Eve Evaluator, whose key is trusted here as an evaluator; only a supervisor can re-assign a lost key\.$/,
    );
    expect(successionRows(ada)).toEqual([]);
    expect(await trustedKey(ada, next.key_id)).toBeUndefined();
  });
});
