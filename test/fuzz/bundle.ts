/**
 * Fuzz targets for the bundle verifier, over a real signed bundle built with
 * test/helpers/bundleFactory.ts from a workspace with an engagement, a
 * finding, a note, an attachment and a withheld threshold.
 *  - "bundle bytes": byte flips anywhere, truncation, appended bytes and
 *    entries reordered; only the unchanged bytes may verify.
 *  - "bundle content": one entry's JSON mutated, then signed again by the same
 *    trusted key, so the checks past the signature (schemas, audit chain,
 *    content addresses) see hostile records.
 * Either way the verifier answers a report (never throws) with a one-line
 * reason when it refuses, within the case limit.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { ByteSource } from '../../main/bundles/canonicalZip';
import { verifySource } from '../../main/bundles/verifyBundle';
import { workspaceTrust } from '../../main/services/keys';
import type { VerifyReport } from '../../shared/domain/bundle';
import { makeReadyApp, tempDir } from '../helpers/app';
import { buildBundle, canonicalZip, contentFromWorkspace, manifestFor, signerOf, type ZipFile } from '../helpers/bundleFactory';
import { mutatedBytes, mutatedJson } from './mutate';
import { bounded, messageProblem, preview, target, type FuzzSuite } from './target';

const bufferSource = (b: Buffer): ByteSource => ({ size: b.length, read: (p, n) => Promise.resolve(b.subarray(p, Math.min(p + n, b.length))) });

async function must<T>(r: Promise<{ ok: true; value: unknown } | { ok: false; error: { message: string } }>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(res.error.message);
  return res.value as T;
}

/** A report's problem, or null: refusals carry one readable line, and `mayBeValid` says whether valid is allowed. */
function reportProblem(report: VerifyReport, mayBeValid: boolean): string | null {
  if (report.valid) return mayBeValid ? null : 'changed bytes verified as valid';
  return messageProblem(report.reason);
}

/** The canonical ZIP's files in order, read back by offsets. */
function entriesOf(b: Buffer): ZipFile[] {
  const out: ZipFile[] = [];
  let at = 0;
  while (b.readUInt32LE(at) === 0x04034b50) {
    const size = b.readUInt32LE(at + 18);
    const nameLength = b.readUInt16LE(at + 26);
    out.push({ name: b.subarray(at + 30, at + 30 + nameLength).toString(), data: Buffer.from(b.subarray(at + 30 + nameLength, at + 30 + nameLength + size)) });
    at += 30 + nameLength + size;
  }
  return out;
}

export async function bundleSuite(): Promise<FuzzSuite> {
  const t = await makeReadyApp();
  const dir = tempDir('evalnotes-fuzz-bundle-');
  const app = t.app;
  const eng = await must<{ id: string }>(app.dispatch('engagement:create', { developer: 'Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01' }));
  const finding = await must<{ id: string }>(app.dispatch('finding:create', { engagement_id: eng.id, title: 'Leaks the system prompt', kind: 'capability', severity: 'low' }));
  await must(app.dispatch('note:create', { on: { type: 'finding', id: finding.id }, body: 'Reproduced **twice**.' }));
  const evidence = join(dir.path, 'evidence.txt');
  writeFileSync(evidence, 'proof');
  await must(app.dispatch('attachment:add', { engagement_id: eng.id, file: app.files.register(evidence, 'read') }));
  await must(app.dispatch('threshold:create', { engagement_id: eng.id, task: 'ctf', scorer: 's', metric: 'accuracy', comparison: '>=', value: 0.35 }));

  const ws = app.workspace;
  const signer = signerOf(ws);
  const { files, newest, engagementId } = contentFromWorkspace(ws, { types: ['engagement', 'attachment', 'finding', 'note'] });
  const original = buildBundle(files, signer, manifestFor(files, signer, newest, engagementId));
  const trust = workspaceTrust(ws);
  const sanity = await verifySource(bufferSource(original), 'fuzz.evb', { trust }, 0);
  if (!sanity.valid) throw new Error(`the unmutated bundle does not verify: ${sanity.reason}`);

  const ordered = entriesOf(original);
  const reordered = fc.shuffledSubarray(ordered.map((_, i) => i), { minLength: ordered.length, maxLength: ordered.length }).map((order) => canonicalZip(order.map((i) => ordered[i]!)));
  const bytes = fc.oneof({ weight: 4, arbitrary: mutatedBytes(original) }, { weight: 1, arbitrary: reordered });

  const jsonFiles = files.filter((f) => f.name.endsWith('.json') || f.name.endsWith('.jsonl'));
  const content = fc.oneof(
    ...jsonFiles.map((f) =>
      (f.name.endsWith('.jsonl') ? mutatedBytes(f.data) : mutatedJson(f.data.toString('utf8'))).map((data) => {
        const changed = files.map((g) => (g.name === f.name ? { name: g.name, data } : g));
        return buildBundle(changed, signer, manifestFor(changed, signer, newest, engagementId));
      }),
    ),
  );

  const verifyTarget = (name: string, arbitrary: fc.Arbitrary<Buffer>, mayBeValid: (b: Buffer) => boolean) =>
    target<Buffer>({
      name,
      arbitrary,
      async check(b) {
        const outcome = await bounded(() => verifySource(bufferSource(b), 'fuzz.evb', { trust }, 0));
        if ('hung' in outcome) return `no answer within the case limit (${b.length} bytes)`;
        if (!outcome.ok) return `threw instead of refusing: ${preview(String(outcome.error))}`;
        return reportProblem(outcome.value, mayBeValid(b));
      },
    });

  return {
    targets: [verifyTarget('bundle bytes', bytes, (b) => b.equals(original)), verifyTarget('bundle content', content, () => true)],
    async close() {
      await t.cleanup();
      dir.cleanup();
    },
  };
}
