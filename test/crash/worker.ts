/**
 * The crash child: `node --import tsx test/crash/worker.ts <dataDir> <seed>`
 * (the harness runs the same file bundled, to start in a third of a second).
 * Opens the workspace the harness prepared and loops over a seeded mix of real
 * work through the app's dispatch until it is killed: imports, finding
 * create/edit/status, notes, attachments of random bytes, bundle ingests.
 * After every operation it journals what is now committed, read back from the
 * audit events the operation appended (every committed write has one).
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createApp, type EvalNotesApp } from '../../main/app/createApp';
import { browserPlatform, TEST_KDF } from '../helpers/app';
import { JournalWriter, type JournalLine } from './journal';
import { seededRng, type Rng } from './rng';
import { readSetup, type CrashSetup } from './setup';

type Ctx = { app: EvalNotesApp; setup: CrashSetup; rng: Rng; me: string; n: number };

const STATUSES = ['draft', 'submitted', 'remediated', 'withdrawn'] as const;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;

async function call(ctx: Ctx, name: string, input: unknown): Promise<unknown> {
  const r = await ctx.app.dispatch(name, input);
  return r.ok ? r.value : undefined; // a refused edit (e.g. a status move not allowed) commits nothing, which the journal shows
}

const ids = (ctx: Ctx, type: string): string[] =>
  ctx.app.workspace.db.prepare('SELECT id FROM records WHERE type = ? AND author = ? AND deleted = 0').pluck().all(type, ctx.me) as string[];

async function engagement(ctx: Ctx, fresh = false): Promise<string | undefined> {
  const existing = ids(ctx, 'engagement');
  if (existing.length && !fresh) return ctx.rng.pick(existing);
  const e = (await call(ctx, 'engagement:create', { developer: 'Frontier Lab', model: `Orion-${ctx.rng.int(9)}`, model_version: 'rc3', access_start: '2026-03-01' })) as { id: string } | undefined;
  return e?.id;
}

async function waitJob(ctx: Ctx, started: unknown): Promise<void> {
  if (started) await ctx.app.jobs.wait((started as { job_id: string }).job_id);
}

const OPS: Record<string, (ctx: Ctx) => Promise<unknown>> = {
  async import(ctx) {
    const eng = await engagement(ctx, ctx.rng.chance(0.5));
    if (!eng) return;
    const file = ctx.app.files.register(ctx.rng.pick(ctx.setup.logs), 'read');
    await waitJob(ctx, await call(ctx, 'imports:start', { engagement_id: eng, files: [file], samples: [] }));
  },
  async findingCreate(ctx) {
    const eng = await engagement(ctx);
    if (eng) await call(ctx, 'finding:create', { engagement_id: eng, title: `Finding ${ctx.n}`, kind: 'capability', severity: ctx.rng.pick(SEVERITIES), description: 'x'.repeat(ctx.rng.int(4000)) });
  },
  async findingEdit(ctx) {
    const f = ids(ctx, 'finding');
    if (f.length) await call(ctx, 'finding:update', { id: ctx.rng.pick(f), changes: { title: `Edited ${ctx.n}`, impact: 'y'.repeat(ctx.rng.int(4000)), severity: ctx.rng.pick(SEVERITIES) } });
  },
  async findingStatus(ctx) {
    const f = ids(ctx, 'finding');
    if (f.length) await call(ctx, 'finding:setStatus', { id: ctx.rng.pick(f), status: ctx.rng.pick(STATUSES) });
  },
  async noteCreate(ctx) {
    const f = ids(ctx, 'finding');
    const target = f.length && ctx.rng.chance(0.7) ? { type: 'finding', id: ctx.rng.pick(f) } : { type: 'engagement', id: await engagement(ctx) };
    if (target.id) await call(ctx, 'note:create', { on: target, body: `Note ${ctx.n}: ${'z'.repeat(ctx.rng.int(2000))}` });
  },
  async noteEdit(ctx) {
    const notes = ids(ctx, 'note');
    if (notes.length) await call(ctx, 'note:update', { id: ctx.rng.pick(notes), body: `Rewritten ${ctx.n}` });
  },
  async attachment(ctx) {
    const eng = await engagement(ctx);
    if (!eng) return;
    const path = join(ctx.setup.scratch, `evidence-${randomBytes(6).toString('hex')}.bin`);
    writeFileSync(path, randomBytes(1 + ctx.rng.int(256 * 1024)));
    await call(ctx, 'attachment:add', { engagement_id: eng, file: ctx.app.files.register(path, 'read') });
    rmSync(path, { force: true });
  },
  async ingest(ctx) {
    await waitJob(ctx, await call(ctx, 'bundle:ingest', { file: ctx.app.files.register(ctx.rng.pick(ctx.setup.bundles), 'read') }));
  },
};
const WEIGHTED = [...Array<string>(2).fill('import'), ...Array<string>(3).fill('findingCreate'), ...Array<string>(3).fill('findingEdit'), ...Array<string>(2).fill('findingStatus'), ...Array<string>(2).fill('noteCreate'), 'noteEdit', ...Array<string>(3).fill('attachment'), 'ingest'];

/** What the audit events after `afterSeq` say is committed, with the blobs those records name. */
function committedSince(ctx: Ctx, op: string, afterSeq: number): JournalLine {
  const db = ctx.app.workspace.db;
  const events = (db.prepare('SELECT body FROM audit_events WHERE seq > ? ORDER BY seq').pluck().all(afterSeq) as string[]).map((b) => JSON.parse(b) as { id: string; revision: number; entity: string });
  const blobs = new Set<string>();
  for (const e of events) {
    if (e.entity !== 'attachment' && e.entity !== 'run') continue;
    const body = JSON.parse(db.prepare('SELECT body FROM records WHERE id = ?').pluck().get(e.id) as string) as { sha256?: string; sources?: { sha256: string }[] };
    if (body.sha256) blobs.add(body.sha256);
    for (const s of body.sources ?? []) blobs.add(s.sha256);
  }
  return { op, records: events.map((e) => [e.id, e.revision]), blobs: [...blobs] };
}

async function main(): Promise<void> {
  const [dataDir, seedText] = process.argv.slice(2);
  if (!dataDir || !seedText) throw new Error('usage: worker.ts <dataDir> <seed>');
  const setup = readSetup(dirname(dataDir));
  const app = createApp({ dataDir, platform: browserPlatform, appVersion: '0.0.0-crash', kdf: TEST_KDF, watchIntervalMs: 0, tempRoot: setup.scratch });
  const unlocked = await app.dispatch('workspace:unlock', { passphrase: setup.passphrase });
  if (!unlocked.ok) throw new Error(`unlock: ${unlocked.error.message}`);
  const ctx: Ctx = { app, setup, rng: seededRng(Number(seedText)), me: app.workspace.requireIdentity().key_id, n: 0 };
  const journal = new JournalWriter(setup.journal);
  process.stdout.write('ready\n');
  const head = app.workspace.db.prepare('SELECT coalesce(max(seq), 0) FROM audit_events').pluck();
  for (;;) {
    const op = ctx.rng.pick(WEIGHTED);
    ctx.n += 1;
    const before = head.get() as number;
    await OPS[op]!(ctx);
    const line = committedSince(ctx, op, before);
    if (line.records.length) journal.append(line);
    process.stdout.write(`op ${op} ${line.records.length}\n`);
  }
}

// The harness closes our stdin when it goes away: never outlive it.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
main().catch((error: unknown) => {
  process.stderr.write(`crash worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
