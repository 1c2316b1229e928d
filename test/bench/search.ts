/**
 * Search benchmark (issue 4, item 8): findings and notes of about 1 KB each,
 * written through the single write function in batches (so the index is filled
 * the way every edit fills it), then 1,000 queries as people type them (rare,
 * medium and very common words, two words, prefixes keystroke by keystroke,
 * some with filters) through SearchService. Reference, measured in the same run
 * on the same table: the same MATCH … ORDER BY rank LIMIT without snippet().
 * Also times the findings table's page at offset 0 and at offset 99,800.
 *
 * `runSearchBench()` returns printable lines and the figures; run alone with
 * `node --import tsx test/bench/search.ts` (BENCH_SEARCH_FINDINGS,
 * BENCH_SEARCH_NOTES, BENCH_SEARCH_QUERIES change the sizes). Never fails: it informs.
 */
import { statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../main/db/open';
import { writeRecords, type WriteOp } from '../../main/records/writeRecord';
import { SearchService, RANK_CAP } from '../../main/services/search';
import type { StorableType } from '../../shared/domain/records';
import { SearchQuery } from '../../shared/domain/search';
import type { Workspace } from '../../main/workspace/workspace';
import { makeReadyApp } from '../helpers/app';
import { seededRandom } from '../helpers/rng';
import { benchRow, type BenchRow } from './table';

export type SearchBenchOptions = { findings?: number; notes?: number; queries?: number; seed?: number; rankCap?: number; log?: (line: string) => void };

const TARGET_P95_MS = 16;
const TARGET_RATIO = 1.5;
const BATCH = 1000;
const VOCABULARY = 20_000;
/** Zipf exponent close to English text: the top word is about a tenth of all words. */
const ZIPF_S = 1.07;
const KINDS = ['capability', 'safeguard-bypass', 'software-vulnerability', 'other'] as const;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;

type Category = 'rare word' | 'medium word' | 'very common word' | 'two words' | 'prefix as typed' | 'with filters';
type Query = { category: Category; q: SearchQuery };

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
}

/** Pronounceable, distinct words; index = frequency rank (0 = most common). */
function vocabulary(rand: () => number, n: number): string[] {
  const onsets = ['b', 'c', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'st', 'tr', 'pl', 'gr', 'sh', 'ch'];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ea'];
  const seen = new Set<string>();
  const words: string[] = [];
  while (words.length < n) {
    // Common words are short, as in real text.
    const syllables = 1 + Math.floor(rand() * (words.length < 50 ? 1.5 : words.length < 2000 ? 3 : 4));
    let w = '';
    for (let i = 0; i < syllables; i++) w += onsets[Math.floor(rand() * onsets.length)]! + vowels[Math.floor(rand() * vowels.length)]!;
    if (rand() < 0.3) w += onsets[Math.floor(rand() * onsets.length)]!;
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  return words;
}

/** Draws word ranks with Zipf-like frequencies (inverse CDF by binary search). */
function zipfSampler(rand: () => number, n: number, s: number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cdf[r] = sum += 1 / (r + 1) ** s;
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export async function runSearchBench(opts: SearchBenchOptions = {}): Promise<{ lines: string[]; figures: Record<string, unknown>; rows: BenchRow[] }> {
  const nFindings = opts.findings ?? Number(process.env.BENCH_SEARCH_FINDINGS ?? 100_000);
  const nNotes = opts.notes ?? Number(process.env.BENCH_SEARCH_NOTES ?? 10_000);
  const nQueries = opts.queries ?? Number(process.env.BENCH_SEARCH_QUERIES ?? 1000);
  const seed = opts.seed ?? 20260412;
  const rankCap = opts.rankCap ?? Number(process.env.BENCH_SEARCH_RANK_CAP ?? RANK_CAP);
  const log = opts.log ?? ((line: string) => process.stderr.write(`bench: ${line}\n`));
  const rand = seededRandom(seed);
  const words = vocabulary(rand, VOCABULARY);
  const draw = zipfSampler(rand, VOCABULARY, ZIPF_S);
  const text = (bytes: number) => {
    const out: string[] = [];
    let len = 0;
    while (len < bytes) {
      const w = words[draw()]!;
      out.push(w);
      len += w.length + 1;
    }
    return out.join(' ');
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;

  const loadBefore = loadavg()[0]!;
  const t = await makeReadyApp();
  try {
    const ws = t.app.workspace;
    const engagements: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await t.app.dispatch('engagement:create', { developer: 'Bench Lab', model: `Bench-${i}`, model_version: 'rc1', access_start: '2026-03-01' });
      if (!r.ok) throw new Error(r.error.message);
      engagements.push((r.value as { id: string }).id);
    }

    // (1) Inserts: ~1 KB records through writeRecords, BATCH per transaction, each indexed as it is written.
    log(`writing ${nFindings} findings and ${nNotes} notes of ~1 KB`);
    const writer = ws.writer();
    const tags = words.slice(200, 260);
    let bytes = 0;
    const insertStart = performance.now();
    for (let done = 0; done < nFindings + nNotes; done += BATCH) {
      const ops: WriteOp<StorableType>[] = [];
      for (let i = done; i < Math.min(done + BATCH, nFindings + nNotes); i++) {
        const engagement_id = engagements[i % engagements.length]!;
        if (i < nFindings) {
          const description = text(700);
          const reproduction = text(250);
          bytes += description.length + reproduction.length;
          ops.push({
            action: 'create',
            type: 'finding',
            fields: {
              engagement_id,
              title: text(40),
              kind: pick(KINDS),
              severity: pick(SEVERITIES),
              description,
              reproduction,
              impact: '',
              remediation: '',
              cwe: [],
              atlas: [],
              tags: [pick(tags), pick(tags)].filter((tag, k, all) => all.indexOf(tag) === k),
              evidence: [],
              status: 'draft',
            },
          });
        } else {
          const body = text(1000);
          bytes += body.length;
          ops.push({ action: 'create', type: 'note', fields: { engagement_id, on: { type: 'engagement', id: engagement_id }, body } });
        }
      }
      writeRecords(writer, ops);
      if ((done / BATCH) % 20 === 0) log(`  ${done + ops.length} written`);
    }
    const insertSeconds = (performance.now() - insertStart) / 1000;
    const docs = nFindings + nNotes;
    ws.db.pragma('wal_checkpoint(TRUNCATE)');
    const dbBytes = statSync(join(t.dataDir, 'evalnotes.db')).size;
    log(`written in ${insertSeconds.toFixed(1)} s (${Math.round(docs / insertSeconds)} records/s)`);

    // (2) The queries, as typed into the palette.
    const results = measureQueries(ws, { engagements, words, tags, rand, rankCap, nQueries, log });

    // (3) The findings table: a page at the top and one near the end of 100,000 rows.
    const pages: { offset: number; ms: number; rows: number; total: number }[] = [];
    let pageNote: string | null = null;
    for (const offset of [0, 99_800]) {
      const runs: number[] = [];
      let rows = 0;
      let total = 0;
      for (let rep = 0; rep < 5; rep++) {
        const t0 = performance.now();
        const r = await t.app.dispatch('findings:list', { offset, limit: 200 });
        runs.push(performance.now() - t0);
        if (!r.ok) {
          pageNote = `findings:list is not available (${r.error.code}: ${r.error.message}); page times skipped`;
          break;
        }
        ({ total } = r.value as { total: number });
        rows = (r.value as { rows: unknown[] }).rows.length;
      }
      if (pageNote) break;
      pages.push({ offset, ms: percentile(runs, 50), rows, total });
    }

    return report({ loadBefore, rankCap, docs, nFindings, nNotes, bytes, insertSeconds, dbBytes, results, pages, pageNote, db: ws.db });
  } finally {
    await t.cleanup();
  }
}

type Result = { category: Category; text: string; fullMs: number; bareMs: number; capped: boolean; hits: number };

type Corpus = { engagements: string[]; words: string[]; tags: string[]; rand: () => number; rankCap: number; nQueries: number; log: (line: string) => void };

/** Builds the query mix from the corpus vocabulary and times each query through SearchService and bare. */
function measureQueries(ws: Workspace, { engagements, words, tags, rand, rankCap, nQueries, log }: Corpus): Result[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const rank = (lo: number, hi: number) => words[lo + Math.floor(rand() * (hi - lo))]!;
  const queries: Query[] = [];
  const add = (category: Category, q: Omit<SearchQuery, 'limit'>) => queries.push({ category, q: { ...q, limit: 20 } });
  while (queries.length < nQueries) {
    const roll = rand();
    // About 30% of the queries come from words typed keystroke by keystroke.
    if (roll < 0.25) add('rare word', { text: rank(5000, VOCABULARY) });
    else if (roll < 0.5) add('medium word', { text: rank(100, 3000) });
    else if (roll < 0.6) add('very common word', { text: rank(0, 30) });
    else if (roll < 0.74) add('two words', { text: `${rank(0, 3000)} ${rank(100, VOCABULARY)}` });
    else if (roll < 0.8) {
      // One keystroke after another: "l", "la", "lad", … (the last one complete).
      const w = rank(30, VOCABULARY);
      for (let n = 1; n <= w.length && queries.length < nQueries; n++) add('prefix as typed', { text: w.slice(0, n) });
    } else {
      const q: Omit<SearchQuery, 'limit'> = { text: rank(0, 3000), engagement_id: pick(engagements) };
      if (rand() < 0.5) q.types = ['finding'];
      if (rand() < 0.3) q.severity = pick(SEVERITIES);
      if (rand() < 0.2) q.tag = pick(tags);
      add('with filters', q);
    }
  }

  const service = new SearchService(ws, { rankCap });
  const bare = ws.db.prepare('SELECT rowid FROM search_index WHERE search_index MATCH ? ORDER BY rank LIMIT ?');
  const parsed = queries.map((x) => ({ ...x, args: SearchQuery.parse(x.q) }));
  // Warm the page cache and the statement caches as an open app would be.
  for (const x of parsed.slice(0, 50)) {
    service.query(x.args);
    bare.all(service.matchExpression(x.args), x.args.limit);
  }

  log(`running ${parsed.length} queries`);
  const results = parsed.map((x, i) => {
    const match = service.matchExpression(x.args);
    const time = (fn: () => unknown) => {
      const t0 = performance.now();
      fn();
      return performance.now() - t0;
    };
    // Alternate which runs first, so neither always finds the pages warm.
    let fullMs: number;
    let bareMs: number;
    let capped = false;
    let hits = 0;
    const runFull = () => {
      const r = service.query(x.args);
      capped = r.capped;
      hits = r.hits.length;
    };
    const runBare = () => (match === null ? [] : bare.all(match, x.args.limit));
    if (i % 2 === 0) {
      fullMs = time(runFull);
      bareMs = time(runBare);
    } else {
      bareMs = time(runBare);
      fullMs = time(runFull);
    }
    return { category: x.category, text: x.q.text, fullMs, bareMs, capped, hits };
  });
  return results;
}

function report(r: {
  loadBefore: number;
  rankCap: number;
  docs: number;
  nFindings: number;
  nNotes: number;
  bytes: number;
  insertSeconds: number;
  dbBytes: number;
  results: Result[];
  pages: { offset: number; ms: number; rows: number; total: number }[];
  pageNote: string | null;
  db: Db;
}): { lines: string[]; figures: Record<string, unknown>; rows: BenchRow[] } {
  const stats = (xs: Result[]) => {
    const full50 = percentile(xs.map((x) => x.fullMs), 50);
    const full95 = percentile(xs.map((x) => x.fullMs), 95);
    const bare50 = percentile(xs.map((x) => x.bareMs), 50);
    const bare95 = percentile(xs.map((x) => x.bareMs), 95);
    return {
      queries: xs.length,
      p50_ms: full50,
      p95_ms: full95,
      max_ms: Math.max(...xs.map((x) => x.fullMs)),
      bare_p50_ms: bare50,
      bare_p95_ms: bare95,
      bare_max_ms: Math.max(...xs.map((x) => x.bareMs)),
      ratio_p50: full50 / bare50,
      ratio_p95: full95 / bare95,
      capped: xs.filter((x) => x.capped).length,
      no_hits: xs.filter((x) => x.hits === 0).length,
    };
  };
  const all = stats(r.results);
  const categories = [...new Set(r.results.map((x) => x.category))];
  const byCategory = Object.fromEntries(categories.map((c) => [c, stats(r.results.filter((x) => x.category === c))]));
  const slowest = [...r.results].sort((a, b) => b.fullMs - a.fullMs).slice(0, 5);
  const ms = (v: number) => v.toFixed(2).padStart(8);
  const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

  const indexBytes = r.db.prepare('SELECT sum(length(block)) FROM search_index_data').pluck().get() as number;
  const loadAfter = loadavg()[0]!;
  const lines = [
    `search: ${r.docs} records (${r.nFindings} findings, ${r.nNotes} notes; ${(r.bytes / r.docs / 1024).toFixed(2)} KB of text each on average)`,
    `    written through writeRecords in batches of ${BATCH}: ${r.insertSeconds.toFixed(1)} s, ${Math.round(r.docs / r.insertSeconds)} records/s (indexed as written); database ${(r.dbBytes / 1e6).toFixed(0)} MB, of it the index ${(indexBytes / 1e6).toFixed(0)} MB`,
    `    ${'queries'.padEnd(26)}${'n'.padStart(5)}${'p50 ms'.padStart(8)}${'p95 ms'.padStart(8)}${'max ms'.padStart(8)}${'bare p50'.padStart(9)}${'bare p95'.padStart(9)}${'x p50'.padStart(7)}${'x p95'.padStart(7)}${'capped'.padStart(8)}`,
    ...[['all', all] as const, ...Object.entries(byCategory)].map(
      ([name, s]) =>
        `    ${name.padEnd(26)}${String(s.queries).padStart(5)}${ms(s.p50_ms)}${ms(s.p95_ms)}${ms(s.max_ms)}${ms(s.bare_p50_ms).padStart(9)}${ms(s.bare_p95_ms).padStart(9)}` +
        `${s.ratio_p50.toFixed(2).padStart(7)}${s.ratio_p95.toFixed(2).padStart(7)}${String(s.capped).padStart(8)}`,
    ),
    `    target: p95 < ${TARGET_P95_MS} ms with snippets: ${all.p95_ms.toFixed(2)} ms ${pass(all.p95_ms < TARGET_P95_MS)}; within ${TARGET_RATIO}x of the bare query at p95: ${all.ratio_p95.toFixed(2)}x ${pass(all.ratio_p95 <= TARGET_RATIO)}`,
    `    bare = the same MATCH … ORDER BY rank LIMIT 20 without snippet() or the rank cap; a word in more than ${r.rankCap} records is ranked among its ${r.rankCap} newest (capped)`,
    `    (bare reads no text: for a cheap query the snippets, which read and tokenize up to 20 records, cost more than the match itself)`,
    `    slowest: ${slowest.map((x) => `"${x.text}" ${x.fullMs.toFixed(1)} ms (bare ${x.bareMs.toFixed(1)})`).join(', ')}`,
    ...(r.pageNote
      ? [`    findings table: ${r.pageNote}`]
      : r.pages.map((p) => `    findings:list page of ${p.rows} at offset ${p.offset} of ${p.total}: ${p.ms.toFixed(1)} ms (median of 5)`)),
    `    load average (1 min): ${r.loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after, on ${availableParallelism()} cores (other work on the machine slows every figure)`,
  ];
  const figures = {
    bench: 'search',
    records: r.docs,
    findings: r.nFindings,
    notes: r.nNotes,
    text_bytes: r.bytes,
    insert_seconds: r.insertSeconds,
    records_per_second: r.docs / r.insertSeconds,
    db_bytes: r.dbBytes,
    index_bytes: indexBytes,
    load_before: r.loadBefore,
    load_after: loadAfter,
    rank_cap: r.rankCap,
    all,
    by_category: byCategory,
    p95_pass: all.p95_ms < TARGET_P95_MS,
    ratio_pass: all.ratio_p95 <= TARGET_RATIO,
    findings_pages: r.pages,
    ...(r.pageNote ? { note: r.pageNote } : {}),
  };
  const bench = 'search';
  const rows: BenchRow[] = [
    benchRow({ bench, name: 'records written through writeRecords', figure: r.docs / r.insertSeconds, unit: 'records/s' }),
    benchRow({ bench, name: 'query p50, all (ref: bare MATCH)', figure: all.p50_ms, unit: 'ms', reference: all.bare_p50_ms }),
    benchRow({
      bench,
      name: 'query p95, all (ref: bare MATCH)',
      figure: all.p95_ms,
      unit: 'ms',
      reference: all.bare_p95_ms,
      targets: [
        { of: 'figure', op: '<', value: TARGET_P95_MS },
        { of: 'ratio', op: '<=', value: TARGET_RATIO },
      ],
    }),
    ...Object.entries(byCategory).map(([name, s]) => benchRow({ bench, name: `query p95, ${name}`, figure: s.p95_ms, unit: 'ms', reference: s.bare_p95_ms })),
    ...r.pages.map((p) => benchRow({ bench, name: `findings:list page at offset ${p.offset}${p === r.pages[0] ? '' : ` (ref: offset ${r.pages[0]!.offset})`}`, figure: p.ms, unit: 'ms', reference: p === r.pages[0] ? null : r.pages[0]!.ms })),
  ];
  return { lines, figures, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { lines, figures } = await runSearchBench();
  console.log(lines.join('\n'));
  console.log(JSON.stringify(figures));
}
