/**
 * Inspect's `.eval` log: a ZIP (read through safeZip, so hostile archives are
 * refused) holding `header.json` (written last, at finish),
 * `_journal/start.json` + `_journal/summaries/<n>.json` (written as the run
 * goes), one member per sample — `samples/<id>_epoch_<n>.json` (monolith) or
 * the chunked directory `samples/<id>_epoch_<n>/sample.json` + `attachments/…`
 * — and optional `summaries.json` / `reductions.json`, which are not needed.
 * Layout: inspect_ai `log/_recorders/eval.py` and its design/large-samples.md.
 */
import { basename } from 'node:path';
import { LogFormatError, type ParsedLog, type ParsedSample, type RunStatus } from '../types';
import { openSafeZip, type SafeZip, type SafeZipEntry, type SafeZipLimits } from '../safeZip';
import { parseJsonWithNonFinite } from '../jsonWithNonFinite';
import { compareSampleKeys, indexedAttachmentRefs, isObj, mapResults, mapRunMeta, mapSample } from './mapInspect';

export type InspectEvalOptions = {
  /** The name used in error sentences (default: the file's base name). */
  label?: string;
  limits?: Partial<SafeZipLimits>;
};

const MONOLITH_RE = /^samples\/([^/]+)_epoch_(\d+)\.json$/;
const CHUNKED_RE = /^samples\/([^/]+)_epoch_(\d+)\/sample\.json$/;
const ATTACHMENT_CHUNK_RE = /^samples\/([^/]+_epoch_\d+)\/attachments\/(\d+)\.json$/;
const SUMMARY_RE = /^_journal\/summaries\/(\d+)\.json$/;

// V8 cannot build a string longer than this (about 512 MiB of UTF-16 units).
const MAX_MEMBER_TEXT_BYTES = 0x1fffffe8;

type SampleSlot = {
  /** `<id>_epoch_<n>`, the member-name stem. */
  key: string;
  id: string;
  epoch: number;
  member: string;
  chunked: boolean;
  entryIndex: number;
};

export async function parseInspectEval(path: string, options: InspectEvalOptions = {}): Promise<ParsedLog> {
  const label = options.label ?? basename(path);
  const zipOptions = { label, limits: options.limits };
  const zip = await openSafeZip(path, zipOptions);
  let slots: SampleSlot[];
  let journalOnly: JournalSample[];
  let log: Omit<ParsedLog, 'samples'>;
  try {
    const { header, status } = await readHeader(zip);
    const meta = mapRunMeta(header, 'inspect-eval', label, status);
    log = { meta, results: status === 'started' ? [] : mapResults(header, meta.task) };
    slots = sampleSlots(zip);
    journalOnly = status === 'started' ? await journalSamplesWithoutMember(zip, slots) : [];
  } finally {
    await zip.close();
  }
  const expected = new Map(slots.map((s) => [s.member, zip.files.get(s.member)!]));
  const task = log.meta.task;

  // The archive is opened again per pass so a caller that never reads the
  // samples leaves no file open (ParsedLog has no close()).
  async function* samples(): AsyncGenerator<ParsedSample> {
    const z = await openSafeZip(path, zipOptions);
    try {
      for (const slot of slots) {
        const entry = z.files.get(slot.member);
        if (!entry || !sameEntry(entry, expected.get(slot.member)!)) {
          throw new LogFormatError(`${label} changed while it was being read (entry ${slot.member}).`);
        }
        const raw = await readJson(z, slot.member);
        const attachment = slot.chunked ? await chunkAttachments(z, slot.key, raw) : undefined;
        yield mapSample(raw, { label, task, location: { kind: 'zip-member', member: slot.member }, attachment });
      }
      for (const j of journalOnly) {
        yield mapSample(j.summary, { label, task, location: { kind: 'zip-member', member: j.member } });
      }
    } finally {
      await z.close();
    }
  }

  return { ...log, samples };
}

async function readHeader(zip: SafeZip): Promise<{ header: Record<string, unknown>; status?: RunStatus }> {
  if (zip.files.has('header.json')) {
    return { header: asObject(await readJson(zip, 'header.json'), zip.label, 'header.json') };
  }
  // No header: the run is still going or died. The journal's start record has eval and plan.
  if (zip.files.has('_journal/start.json')) {
    const start = asObject(await readJson(zip, '_journal/start.json'), zip.label, '_journal/start.json');
    return { header: { version: start.version, eval: start.eval, plan: start.plan }, status: 'started' };
  }
  throw new LogFormatError(`${zip.label} is a ZIP archive but not an Inspect log: it has neither header.json nor _journal/start.json.`);
}

function sampleSlots(zip: SafeZip): SampleSlot[] {
  const byKey = new Map<string, SampleSlot>();
  for (const [name, entry] of zip.files) {
    const m = MONOLITH_RE.exec(name) ?? CHUNKED_RE.exec(name);
    if (!m) continue;
    const key = `${m[1]}_epoch_${m[2]}`;
    const prior = byKey.get(key);
    // A sample re-logged in the other shape: the later entry is the newer one.
    if (prior && prior.entryIndex > entry.index) continue;
    byKey.set(key, { key, id: m[1]!, epoch: Number(m[2]), member: name, chunked: name.endsWith('/sample.json'), entryIndex: entry.index });
  }
  return [...byKey.values()].sort(compareSampleKeys);
}

type JournalSample = { member: string; summary: Record<string, unknown> };

/**
 * For a run without a header, samples the journal summarises but whose own
 * member is missing; they are imported from the summary (no output).
 */
async function journalSamplesWithoutMember(zip: SafeZip, slots: SampleSlot[]): Promise<JournalSample[]> {
  const present = new Set(slots.map((s) => `${s.id}\u0000${s.epoch}`));
  const members = [...zip.files.keys()]
    .map((name) => ({ name, m: SUMMARY_RE.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => Number(a.m[1]) - Number(b.m[1]));
  const found = new Map<string, JournalSample>();
  for (const { name } of members) {
    const list = await readJson(zip, name);
    if (!Array.isArray(list)) throw new LogFormatError(`${zip.label} has a journal summary (${name}) that is not a list.`);
    for (const summary of list) {
      if (!isObj(summary) || (typeof summary.id !== 'string' && typeof summary.id !== 'number')) continue;
      const epoch = typeof summary.epoch === 'number' ? summary.epoch : 1;
      const key = `${String(summary.id)}\u0000${epoch}`;
      if (!present.has(key)) found.set(key, { member: name, summary });
    }
  }
  return [...found.values()].sort((a, b) =>
    compareSampleKeys(
      { id: String(a.summary.id), epoch: Number(a.summary.epoch ?? 1) },
      { id: String(b.summary.id), epoch: Number(b.summary.epoch ?? 1) },
    ),
  );
}

/**
 * The chunked layout keeps attachments as `attachments/<start>.json` arrays
 * referenced as `attachment://<index>`; only the chunks holding references the
 * sample's text needs are read.
 */
async function chunkAttachments(zip: SafeZip, key: string, raw: unknown): Promise<(k: string) => string | undefined> {
  const refs = indexedAttachmentRefs(raw);
  const resolved = new Map<string, string>();
  if (refs.length === 0) return () => undefined;
  const starts: number[] = [];
  for (const name of zip.files.keys()) {
    const m = ATTACHMENT_CHUNK_RE.exec(name);
    if (m && m[1] === key) starts.push(Number(m[2]));
  }
  starts.sort((a, b) => a - b);
  const chunks = new Map<number, unknown[]>();
  for (const ref of refs) {
    let start: number | undefined;
    for (const s of starts) if (s <= ref) start = s;
    if (start === undefined) continue;
    let chunk = chunks.get(start);
    if (!chunk) {
      const member = `samples/${key}/attachments/${start}.json`;
      const parsed = await readJson(zip, member);
      if (!Array.isArray(parsed)) throw new LogFormatError(`${zip.label} has an attachments chunk (${member}) that is not a list.`);
      chunk = parsed;
      chunks.set(start, chunk);
    }
    const value = chunk[ref - start];
    if (typeof value === 'string') resolved.set(String(ref), value);
  }
  return (k) => resolved.get(k);
}

async function readJson(zip: SafeZip, member: string): Promise<unknown> {
  const entry = zip.files.get(member);
  if (entry && entry.uncompressedSize > MAX_MEMBER_TEXT_BYTES) {
    throw new LogFormatError(`${zip.label} has an entry (${member}) of ${entry.uncompressedSize} bytes, more than can be read as one JSON value.`);
  }
  const buf = await zip.readBuffer(member);
  try {
    return parseJsonWithNonFinite(buf.toString('utf8'));
  } catch (err) {
    throw new LogFormatError(`${zip.label} has malformed JSON in ${member} (${(err as Error).message.replace(/\s+/g, ' ').replace(/\.$/, '')}).`);
  }
}

function asObject(v: unknown, label: string, member: string): Record<string, unknown> {
  if (!isObj(v)) throw new LogFormatError(`${label} is not an Inspect log: ${member} is not a JSON object.`);
  return v;
}

function sameEntry(a: SafeZipEntry, b: SafeZipEntry): boolean {
  return a.crc32 === b.crc32 && a.uncompressedSize === b.uncompressedSize && a.localHeaderOffset === b.localHeaderOffset;
}
