/**
 * One lm-evaluation-harness sample (a `samples_<task>_<ts>.jsonl` line, or an
 * element of `samples{task:[…]}` embedded in a results file) → ParsedSample.
 *
 * Line shape (harness ≥ 0.4): doc_id, doc, target, arguments, resps,
 * filtered_resps, filter, metrics[], doc_hash, prompt_hash, target_hash, and
 * one key per metric. Older files lack `filter` and `metrics`; older still
 * write `arguments` as [[context, continuation], …] instead of
 * {gen_args_0: {arg_0, arg_1}, …}.
 */
import { LogFormatError, type ParsedSample, type SampleLocation } from '../types';
import { MAX_NESTING, nestedDeeperThan } from '../nesting';

/** Keys a sample line carries besides its metric values. */
const NON_METRIC_KEYS = new Set([
  'doc_id',
  'doc',
  'target',
  'arguments',
  'resps',
  'filtered_resps',
  'filter',
  'metrics',
  'doc_hash',
  'prompt_hash',
  'target_hash',
]);

const HASH_KEYS = ['doc_hash', 'prompt_hash', 'target_hash'] as const;

export type SampleContext = {
  task: string;
  location: SampleLocation;
  /** Metric names the results file states for this task; used when a line has no `metrics` list. */
  metricNames?: ReadonlySet<string>;
  /** "file.jsonl line 3" or "file.json sample 3 of task x", for error messages. */
  where: string;
};

export function lmEvalSampleToParsed(value: unknown, ctx: SampleContext): ParsedSample {
  if (!isRecord(value) || !('doc_id' in value)) {
    throw new LogFormatError(`${ctx.where} is not an lm-evaluation-harness sample (no doc_id).`);
  }
  // Turning such a value into text (JSON.stringify with a replacer) overflows the stack.
  if (nestedDeeperThan(value, MAX_NESTING)) {
    throw new LogFormatError(`${ctx.where} nests values more than ${MAX_NESTING} levels deep, which no harness writes.`);
  }
  const docId = value.doc_id;
  const filter = typeof value.filter === 'string' ? value.filter : null;
  // The harness logs one line per (doc, filter): with several filters the same
  // doc_id repeats, so the filter joins the id (same "x,filter" form as metric keys).
  const sampleId = filter !== null && filter !== 'none' ? `${textOf(docId)},${filter}` : textOf(docId);

  const scores: Record<string, unknown> = {};
  for (const name of metricNamesOf(value, ctx.metricNames)) {
    if (name in value) scores[name] = { value: value[name] };
  }

  const hashes: Record<string, string> = {};
  for (const k of HASH_KEYS) {
    const h = value[k];
    if (typeof h === 'string') hashes[k] = h;
  }

  return {
    task: ctx.task,
    sample_id: sampleId,
    epoch: 1,
    input: promptOf(value.arguments),
    target: value.target === undefined || value.target === null ? '' : textOf(value.target),
    output: outputOf(value.filtered_resps !== undefined ? value.filtered_resps : flattenOnce(value.resps)),
    scores,
    error: null,
    location: ctx.location,
    hashes,
  };
}

function metricNamesOf(line: Record<string, unknown>, stated: ReadonlySet<string> | undefined): string[] {
  if (Array.isArray(line.metrics)) return line.metrics.filter((m): m is string => typeof m === 'string');
  const candidates = Object.keys(line).filter(
    (k) => !NON_METRIC_KEYS.has(k) && (typeof line[k] === 'number' || typeof line[k] === 'boolean'),
  );
  if (stated && stated.size > 0) {
    const known = candidates.filter((k) => stated.has(k));
    if (known.length > 0) return known;
  }
  return candidates;
}

/** The prompt: arguments.gen_args_0.arg_0 (≥ 0.4.4) or arguments[0][0] (older). */
function promptOf(args: unknown): string {
  let first: unknown;
  if (Array.isArray(args)) {
    const a0: unknown = args[0];
    first = Array.isArray(a0) ? a0[0] : a0;
  } else if (isRecord(args)) {
    const g: unknown = args.gen_args_0 ?? Object.values(args)[0];
    first = isRecord(g) ? (g.arg_0 ?? Object.values(g)[0]) : g;
  } else {
    first = args;
  }
  return first === undefined || first === null ? '' : promptText(first);
}

/** Chat prompts arrive as a JSON string of [{role, content}] (API models): show them as "role: text" lines. */
function promptText(v: unknown): string {
  if (typeof v === 'string') {
    const t = v.trimStart();
    if (t.startsWith('[') && t.includes('"role"')) {
      try {
        const messages: unknown = JSON.parse(t);
        const chat = chatLines(messages);
        if (chat !== null) return chat;
      } catch {
        // not JSON after all: keep the text as is
      }
    }
    return v;
  }
  if (Array.isArray(v)) {
    const chat = chatLines(v);
    return chat ?? v.map((x) => promptText(x)).join('\n');
  }
  return textOf(v);
}

function chatLines(messages: unknown): string | null {
  if (!Array.isArray(messages) || messages.length === 0) return null;
  const lines: string[] = [];
  for (const m of messages) {
    if (!isRecord(m) || typeof m.role !== 'string') return null;
    lines.push(`${m.role}: ${contentText(m.content)}`);
  }
  return lines.join('\n');
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p) => (isRecord(p) && typeof p.text === 'string' ? p.text : textOf(p))).join('\n');
  }
  return textOf(content);
}

/** resps is one list per request; filtered_resps already has that level removed. */
function flattenOnce(resps: unknown): unknown {
  return Array.isArray(resps) ? resps.flatMap((r: unknown) => (Array.isArray(r) ? (r as unknown[]) : [r])) : resps;
}

/** Generations read as text; log-likelihood pairs as "logprob, is_greedy", one request a line. */
function outputOf(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((el) => (Array.isArray(el) ? el.map((x) => textOf(x)).join(', ') : outputOf(el))).join('\n');
  return textOf(v);
}

/** A value as text; numbers keep NaN / Infinity spelled out. */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return String(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
