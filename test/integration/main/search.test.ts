import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../../main/db/migrate';
import { openDatabase } from '../../../main/db/open';
import { ftsQuery, searchDocument, searchableText } from '../../../main/records/searchIndex';
import { writeRecord, writeRecords } from '../../../main/records/writeRecord';
import { RunService } from '../../../main/services/runs';
import { SearchService, searchQueries } from '../../../main/services/search';
import { Workspace } from '../../../main/workspace/workspace';
import type { Finding } from '../../../shared/domain/finding';
import type { RunWithResults } from '../../../shared/domain/imports';
import type { Note } from '../../../shared/domain/note';
import { MARK_END, MARK_START, SearchQuery, type SearchHit, type SearchResult } from '../../../shared/domain/search';
import type { Result } from '../../../shared/result';
import { fixedClock, makeReadyApp, TEST_KDF, tempDir, type TestApp } from '../../helpers/app';

let t: TestApp;
let eng: string;
let otherEng: string;

async function ok<T>(r: Promise<Result<unknown>>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value as T;
}
const engagement = async (model: string) =>
  (await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Lab', model, model_version: 'rc3', access_start: '2026-03-01' }))).id;
const finding = (fields: Record<string, unknown>) =>
  ok<Finding>(t.app.dispatch('finding:create', { engagement_id: eng, kind: 'capability', severity: 'medium', ...fields }));
const note = (on: { type: string; id: string }, body: string) => ok<Note>(t.app.dispatch('note:create', { on, body }));
const search = (q: Record<string, unknown>) => ok<SearchResult>(t.app.dispatch('search:query', q));
const ids = (r: SearchResult) => r.hits.map((h) => h.id);
/** The words a snippet highlights. */
const marked = (h: SearchHit) => [...h.snippet.matchAll(new RegExp(`${MARK_START}([^${MARK_END}]*)${MARK_END}`, 'g'))].map((m) => m[1]);

/** FTS5's own check that the index holds exactly what the content view says. */
function expectIndexConsistent(db: Workspace['db']) {
  expect(() => db.prepare("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
}

/** A run made by hand, and samples written through the single write function. */
async function runWithSamples(engagementId: string, samples: { sample_id: string; input: string; output?: string }[]) {
  const run = await ok<RunWithResults>(
    t.app.dispatch('run:createManual', { engagement_id: engagementId, task: 'ctf_web', model: 'orion-2', status: 'success', results: [{ metric: 'accuracy', value: 0.5 }] }),
  );
  const records = writeRecords(
    t.app.workspace.writer(),
    samples.map((s, i) => ({
      action: 'create' as const,
      type: 'sample' as const,
      refs: [run.run.id],
      fields: {
        run_id: run.run.id,
        task: 'ctf_web',
        sample_id: s.sample_id,
        epoch: 1,
        input: s.input,
        target: 'flag',
        output: s.output ?? '',
        truncated: false,
        scores: {},
        source_sha256: 'a'.repeat(64),
        location: { kind: 'bytes' as const, offset: i * 100, length: 100 },
        hashes: {},
      },
    })),
  );
  return { runId: run.run.id, samples: records };
}

const filler = (n: number, seed = 0) => Array.from({ length: n }, (_, i) => ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf'][(i + seed) % 7]).join(' ');

beforeEach(async () => {
  t = await makeReadyApp();
  eng = await engagement('Orion-2');
  otherEng = await engagement('Vega-1');
});
afterEach(async () => t.cleanup());

describe('search:query', () => {
  it('ranks a word in a title above the same word once in an equally long body', async () => {
    // Same body length and the word once in each: only the column differs, and
    // migration 0030 weighs the title 4x the body in bm25.
    const inBody = await finding({ title: 'Unrelated heading words', description: `${filler(60)} ladder` });
    const inTitle = await finding({ title: 'Ladder heading words', description: `${filler(60)} golf` });
    const r = await search({ text: 'ladder' });
    expect(ids(r)).toEqual([inTitle.id, inBody.id]);
    expect(r.hits[0]!.rank).toBeLessThan(r.hits[1]!.rank);
    // Filters narrow the matches; they do not change the order (facets weigh nothing in bm25).
    const filtered = await search({ text: 'ladder', engagement_id: eng, types: ['finding'] });
    expect(filtered.hits.map((h) => [h.id, h.rank])).toEqual(r.hits.map((h) => [h.id, h.rank]));
  });

  it('ranks a short note that repeats the word above a long one that says it once', async () => {
    // bm25: higher term frequency and a shorter document both raise the score.
    const long = await note({ type: 'engagement', id: eng }, `${filler(400)} ladder ${filler(400, 3)}`);
    const short = await note({ type: 'engagement', id: eng }, 'Ladder logic: the ladder program was rewritten.');
    expect(ids(await search({ text: 'ladder' }))).toEqual([short.id, long.id]);
  });

  it('highlights the matched words in the snippet, including a prefix being typed', async () => {
    await note({ type: 'engagement', id: eng }, `${filler(50)} The model rewrote the Ladder logic of the PLC. ${filler(50)}`);
    const [hit] = (await search({ text: 'ladder logi' })).hits;
    expect(marked(hit!)).toEqual(['Ladder', 'logic']);
    // About a dozen tokens of context, cut with an ellipsis, never the whole body.
    expect(hit!.snippet.startsWith('…') || hit!.snippet.endsWith('…')).toBe(true);
    expect(hit!.snippet.split(MARK_START).join('').split(MARK_END).join('').split(/\s+/).length).toBeLessThanOrEqual(14);
  });

  it('needs every word, and words joined by punctuation together', async () => {
    const both = await finding({ title: 'XSS in the admin console', cwe: [{ id: 'CWE-79', name: 'Improper Neutralization of Input' }] });
    await finding({ title: 'Console crash', description: 'CWE 80 appears near 79 but not as one id.' });
    expect(ids(await search({ text: 'admin console' }))).toEqual([both.id]);
    expect(ids(await search({ text: 'CWE-79' }))).toEqual([both.id]);
    expect(ids(await search({ text: 'improper neutralization' }))).toEqual([both.id]);
  });

  it('answers typed punctuation and FTS5 keywords with results or nothing, never an error', async () => {
    await note({ type: 'engagement', id: eng }, 'AND OR NOT NEAR are words here "quoted" too');
    for (const text of ['"', '*', 'AND', 'NEAR(', '"quoted', 'col:umn', '-', '   ', '(', 'OR OR', '^x', 'a"b']) {
      const r = await t.app.dispatch('search:query', { text });
      expect(r.ok, text).toBe(true);
    }
    expect((await search({ text: 'AND' })).hits).toHaveLength(1);
    expect((await search({ text: '   ' })).hits).toEqual([]);
  });

  it('titles hits and says where a click goes', async () => {
    const f = await finding({ title: 'Safeguard bypass via role play', description: 'zebra' });
    const n = await note({ type: 'finding', id: f.id }, '\n\n## Zebra notes from day 12   \nsecond line');
    const { runId, samples } = await runWithSamples(eng, [{ sample_id: 'q-17', input: 'the zebra question' }]);
    const hits = (await search({ text: 'zebra' })).hits;
    const byId = new Map(hits.map((h) => [h.id, h]));
    expect(byId.get(f.id)).toMatchObject({ type: 'finding', title: 'Safeguard bypass via role play', engagement_id: eng, parent_id: null });
    expect(byId.get(n.id)).toMatchObject({ type: 'note', title: 'Zebra notes from day 12', engagement_id: eng, parent_id: f.id });
    expect(byId.get(samples[0]!.id)).toMatchObject({ type: 'sample', title: 'ctf_web · q-17 (epoch 1)', engagement_id: eng, parent_id: runId });
    const longLine = await note({ type: 'engagement', id: eng }, `quagga ${'x'.repeat(300)}`);
    const title = (await search({ text: 'quagga' })).hits.find((h) => h.id === longLine.id)?.title ?? '';
    expect(title.length).toBeLessThanOrEqual(120);
    expect(title.endsWith('…')).toBe(true);
  });

  it('filters by engagement (samples through their run), type, kind, severity, status and tag', async () => {
    const a = await finding({ title: 'Kestrel one', kind: 'software-vulnerability', severity: 'critical', tags: ['ics', 'Prompt-Injection'] });
    const b = await finding({ title: 'Kestrel two', kind: 'capability', severity: 'low', tags: ['ics'] });
    await ok(t.app.dispatch('finding:setStatus', { id: b.id, status: 'submitted' }));
    const c = await ok<Finding>(t.app.dispatch('finding:create', { engagement_id: otherEng, title: 'Kestrel three', kind: 'capability', severity: 'low' }));
    const n = await note({ type: 'engagement', id: eng }, 'kestrel journal entry');
    const { samples } = await runWithSamples(eng, [{ sample_id: 's1', input: 'kestrel in a sample' }]);
    const other = await runWithSamples(otherEng, [{ sample_id: 's2', input: 'kestrel elsewhere' }]);
    const set = async (q: Record<string, unknown>) => new Set(ids(await search({ text: 'kestrel', ...q })));

    expect(await set({})).toEqual(new Set([a.id, b.id, c.id, n.id, samples[0]!.id, other.samples[0]!.id]));
    expect(await set({ engagement_id: eng })).toEqual(new Set([a.id, b.id, n.id, samples[0]!.id]));
    expect(await set({ engagement_id: otherEng, types: ['sample'] })).toEqual(new Set([other.samples[0]!.id]));
    expect(await set({ types: ['note', 'sample'] })).toEqual(new Set([n.id, samples[0]!.id, other.samples[0]!.id]));
    expect(await set({ kind: 'software-vulnerability' })).toEqual(new Set([a.id]));
    expect(await set({ severity: 'low' })).toEqual(new Set([b.id, c.id]));
    expect(await set({ severity: 'low', engagement_id: eng })).toEqual(new Set([b.id]));
    expect(await set({ status: 'submitted' })).toEqual(new Set([b.id]));
    expect(await set({ status: 'draft' })).toEqual(new Set([a.id, c.id]));
    expect(await set({ tag: 'ics' })).toEqual(new Set([a.id, b.id]));
    expect(await set({ tag: 'Prompt-Injection' })).toEqual(new Set([a.id]));
    expect(await set({ tag: 'prompt' })).toEqual(new Set());
    // A filter value is never matched by typed words.
    expect(await set({ text: 'typefinding' })).toEqual(new Set());
  });

  it('re-indexes an edit and forgets a deleted record', async () => {
    const n = await note({ type: 'engagement', id: eng }, 'first draft mentions wombat');
    const f = await finding({ title: 'Wombat finding', tags: ['wombat-tag'] });
    await ok(t.app.dispatch('note:update', { id: n.id, body: 'now it mentions platypus' }));
    await ok(t.app.dispatch('finding:update', { id: f.id, changes: { title: 'Platypus finding', tags: ['other'] } }));
    expect(ids(await search({ text: 'wombat' }))).toEqual([]);
    expect(new Set(ids(await search({ text: 'platypus' })))).toEqual(new Set([n.id, f.id]));
    expect(ids(await search({ text: 'platypus', tag: 'wombat-tag' }))).toEqual([]);
    expect(ids(await search({ text: 'platypus', tag: 'other' }))).toEqual([f.id]);
    await ok(t.app.dispatch('note:delete', { id: n.id }));
    await ok(t.app.dispatch('finding:delete', { id: f.id }));
    expect(ids(await search({ text: 'platypus' }))).toEqual([]);
    expectIndexConsistent(t.app.workspace.db);
  });

  it('keeps the index exact through many edits of a note (autosave)', async () => {
    const n = await note({ type: 'engagement', id: eng }, 'v0');
    for (let i = 1; i <= 30; i++) await ok(t.app.dispatch('note:update', { id: n.id, body: `version ${i} ${filler(i)}` }));
    expectIndexConsistent(t.app.workspace.db);
    expect(ids(await search({ text: 'version 30' }))).toEqual([n.id]);
    expect(ids(await search({ text: 'version 29 ' }))).toEqual([]);
  });

  it('caps a very common word to the newest matches and says so', async () => {
    const made: string[] = [];
    for (let i = 0; i < 12; i++) made.push((await note({ type: 'engagement', id: eng }, `common word ${i}`)).id);
    const service = new SearchService(t.app.workspace, { rankCap: 5 });
    const capped = service.query(SearchQuery.parse({ text: 'common', limit: 100 }));
    expect(capped.capped).toBe(true);
    expect(new Set(ids(capped))).toEqual(new Set(made.slice(-5)));
    const exact = service.query(SearchQuery.parse({ text: 'common 3', limit: 100 }));
    expect(exact).toMatchObject({ capped: false, hits: [{ id: made[3] }] });
    expect((await search({ text: 'common', limit: 100 })).capped).toBe(false);
    // "commo" is no word: it matches as a prefix. "common" is a word in more records
    // than the cap: while it is being typed, its own matches fill the cap.
    const longer = (await note({ type: 'engagement', id: eng }, 'commonplace remark')).id;
    const asPrefix = service.query(SearchQuery.parse({ text: 'commo', limit: 100 }));
    expect(asPrefix.capped).toBe(true);
    expect(ids(asPrefix)).toContain(longer);
    expect(ids(service.query(SearchQuery.parse({ text: 'common', limit: 100 })))).not.toContain(longer);
    expect(ids(service.query(SearchQuery.parse({ text: 'commonp', limit: 100 })))).toEqual([longer]);
    // With a filter, the cap counts the matches that pass it.
    const otherNotes: string[] = [];
    for (let i = 0; i < 3; i++) otherNotes.push((await note({ type: 'engagement', id: otherEng }, `common word elsewhere ${i}`)).id);
    const inOther = service.query(SearchQuery.parse({ text: 'common', engagement_id: otherEng, limit: 100 }));
    expect(inOther.capped).toBe(false);
    expect(new Set(ids(inOther))).toEqual(new Set(otherNotes));
    const inFirst = service.query(SearchQuery.parse({ text: 'common', engagement_id: eng, limit: 100 }));
    expect(inFirst.capped).toBe(true);
    expect(new Set(ids(inFirst))).toEqual(new Set(made.slice(-5)));
  });

  it('stores hostile text verbatim and returns it as text', async () => {
    const body = 'hostilemarker <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))';
    const n = await note({ type: 'engagement', id: eng }, body);
    expect((await ok<Note[]>(t.app.dispatch('notes:list', { engagement_id: eng })))[0]!.body).toBe(body);
    const [hit] = (await search({ text: 'hostilemarker' })).hits;
    expect(hit?.id).toBe(n.id);
    expect(hit?.snippet).toContain('<script>alert(1)</script> <img src=x onerror=alert(2)>');
  });

  it('never shows a highlight that the text itself carries', async () => {
    await runWithSamples(eng, [{ sample_id: 'ctl', input: `ocelot \u0002fake\u0003 mark` }]);
    const [hit] = (await search({ text: 'ocelot' })).hits;
    expect(marked(hit!)).toEqual(['ocelot']);
    expect(hit!.snippet).toContain('fake');
  });
});

describe('the search index', () => {
  it('holds what searchDocument says, for every searchable type', async () => {
    const f = await finding({
      title: 'Full finding',
      description: 'desc',
      reproduction: '',
      impact: 'impact',
      remediation: 'fix',
      tags: ['t1', 't2'],
      cwe: [{ id: 'CWE-78', name: 'OS Command Injection' }, { id: 'CWE-287' }],
      atlas: ['AML.T0051'],
      kind: 'software-vulnerability',
      affected: { vendor: 'Acme', product: 'PLC Manager', version: '2.1' },
      cve_id: 'CVE-2026-12345',
    });
    const bare = await finding({ title: 'Bare' });
    const n = await note({ type: 'engagement', id: eng }, 'note text');
    const { samples } = await runWithSamples(eng, [{ sample_id: 'x1', input: 'in', output: 'out' }]);
    const db = t.app.workspace.db;
    for (const r of [f, bare, n, samples[0]!]) {
      const row = db.prepare('SELECT title, body FROM search_docs WHERE record_id = ?').get(r.id);
      expect(row).toEqual(searchDocument(r as never));
    }
    expect(searchableText(samples[0] as never)).toBe('x1\nin\nflag\nout');
    expect(searchableText(f as never)).toContain('CWE-78 OS Command Injection CWE-287');
  });

  it('walks the index downwards to a limit, never sorting every match (query plans)', () => {
    const plan = (sql: string, params: Record<string, unknown>) =>
      (t.app.workspace.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join(' | ');
    const among = { highest: 1, ids: '[1]', count: 1 };
    for (const [sql, params] of [
      [searchQueries.newestScored, { match: '"x"', take: 1 }],
      [searchQueries.newest, { match: '"x"', take: 1 }],
      [searchQueries.scored, { match: '"x"', ...among }],
      [searchQueries.shown, { match: '"x"', ...among, open: '[', close: ']' }],
    ] as const) {
      const p = plan(sql, params);
      expect(p).toMatch(/VIRTUAL TABLE INDEX/);
      // ORDER BY rowid DESC is the index's own order: no temp b-tree over all matches.
      expect(p).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
  });

  it('turns typed text into a query over the text columns', () => {
    expect(ftsQuery('ladder logi')).toBe('{title body} : ("ladder" "logi"*)');
    expect(ftsQuery('ladder ')).toBe('{title body} : ("ladder")');
    // A closing quote ends the word; one or two letters match whole words only.
    expect(ftsQuery('say "hi"')).toBe('{title body} : ("say" """hi""")');
    expect(ftsQuery('ladder la')).toBe('{title body} : ("ladder" "la")');
    expect(ftsQuery('ladder lad')).toBe('{title body} : ("ladder" "lad"*)');
    expect(ftsQuery(' - * ')).toBeNull();
  });

  it('finds samples imported before the upgrade after migrating a version-20 workspace', () => {
    const dir = tempDir();
    try {
      const dataDir = join(dir.path, 'ws');
      const path = join(dataDir, 'evalnotes.db');
      mkdirSync(dataDir);
      const db = openDatabase(path);
      migrate(db, path, 20);
      const ctx = { db, author: 'e'.repeat(64), clock: fixedClock('2026-03-12T10:00:00Z') };
      const e = writeRecord(ctx, { action: 'create', type: 'engagement', fields: { developer: 'Lab', model: 'Old', model_version: '1', access_start: '2026-03-01', window_days: 30, partners: [], handling: { tlp: 'AMBER' }, status: 'active' } });
      const run = writeRecord(ctx, {
        action: 'create',
        type: 'run',
        fields: { engagement_id: e.id, source: 'manual', format: 'manual', task: 'legacy', model: 'm', status: 'success', config: {}, token_usage: {}, sources: [], credential_warnings: [] },
      });
      const sample = (id: string, input: string) => ({
        action: 'create' as const,
        type: 'sample' as const,
        fields: { run_id: run.id, task: 'legacy', sample_id: id, epoch: 1, input, target: 't', output: 'o', truncated: false, scores: {}, source_sha256: 'b'.repeat(64), location: { kind: 'bytes' as const, offset: 0, length: 1 }, hashes: {} },
      });
      // As version 20 stored them: deferred, then 0020's contentless index filled by one statement.
      writeRecords(ctx, [sample('old-1', 'capybara before the upgrade'), sample('old-2', 'nothing here')], { deferSearch: true });
      db.exec(`INSERT INTO search_index (rowid, type, body) SELECT rowid, 'sample', json_extract(body, '$.sample_id') || char(10) || json_extract(body, '$.input') || char(10) ||
        json_extract(body, '$.target') || char(10) || json_extract(body, '$.output') FROM records WHERE type = 'sample'`);
      db.close();

      const ws = Workspace.open({ dataDir, kdf: TEST_KDF });
      try {
        const r = new SearchService(ws).query(SearchQuery.parse({ text: 'capybara' }));
        expect(r.hits.map((h) => [h.type, h.title, h.engagement_id, h.parent_id])).toEqual([['sample', 'legacy · old-1 (epoch 1)', e.id, run.id]]);
        expect(marked(r.hits[0]!)).toEqual(['capybara']);
        // The run page's sample search uses the same index.
        expect(new RunService(ws).samples(run.id, { query: 'capybara', offset: 0, limit: 10 }).rows.map((s) => s.sample_id)).toEqual(['old-1']);
        expectIndexConsistent(ws.db);
      } finally {
        ws.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});
