/**
 * Inspect's EvalLog (header and samples), as both the JSON and the `.eval`
 * formats carry it, mapped to the parser output types. Field meanings follow
 * inspect_ai's `log/_log.py`; see "Format notes for the importer" in
 * ../shared/fixtures/PROVENANCE.md for the variants seen in real logs.
 */
import {
  LogFormatError,
  type ParsedResult,
  type ParsedRunMeta,
  type ParsedSample,
  type RunStatus,
  type SampleLocation,
  type SourceFormat,
  type TokenUsage,
} from '../types';
import { MAX_NESTING, nestedDeeperThan } from '../nesting';

type Obj = Record<string, unknown>;

/** A value quoted in an error sentence, cut to a readable length. */
function preview(quoted: string): string {
  return quoted.length > 80 ? `${quoted.slice(0, 80)}…` : quoted;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const STATUSES: readonly RunStatus[] = ['success', 'error', 'cancelled', 'started'];

/**
 * Things that look like Inspect JSON but are not a log: the lead's detector
 * should catch them first, this keeps the parser honest on its own.
 */
export function refuseNonLog(top: Obj, label: string): void {
  if ('eval' in top) return;
  if ('eval_set_id' in top && 'tasks' in top) {
    throw new LogFormatError(`${label} is an Inspect eval-set manifest (eval-set.json), not a log.`);
  }
  const values = Object.values(top);
  if (values.length > 0 && values.every((v) => isObj(v) && isObj(v.eval))) {
    throw new LogFormatError(`${label} is an Inspect log-directory index (logs.json), not a log.`);
  }
  throw new LogFormatError(`${label} is not an Inspect log: it has no "eval" section.`);
}

/** The run as the header tells it. `statusOverride` is for `.eval` files without a header (still running or crashed). */
export function mapRunMeta(header: Obj, format: SourceFormat, label: string, statusOverride?: RunStatus): ParsedRunMeta {
  refuseNonLog(header, label);
  // Values this deep overflow the stack when turned into text below.
  if (nestedDeeperThan(header, MAX_NESTING)) throw new LogFormatError(`${label} nests values more than ${MAX_NESTING} levels deep, which Inspect never writes.`);
  const ev = header.eval;
  if (!isObj(ev)) throw new LogFormatError(`${label} is not an Inspect log: its "eval" section is not an object.`);
  const task = ev.task;
  if (typeof task !== 'string' || task === '') throw new LogFormatError(`${label} is missing the task name (eval.task).`);
  const model = ev.model;
  if (typeof model !== 'string' || model === '') throw new LogFormatError(`${label} is missing the model name (eval.model).`);

  const status = statusOverride ?? header.status;
  if (!STATUSES.includes(status as RunStatus)) {
    throw new LogFormatError(
      status === undefined ? `${label} is missing the run status.` : `${label} has an unknown run status (${preview(JSON.stringify(status))}).`,
    );
  }

  const dataset = isObj(ev.dataset) ? ev.dataset : {};
  const packages = isObj(ev.packages) ? ev.packages : {};
  const stats = isObj(header.stats) ? header.stats : {};
  const results = isObj(header.results) ? header.results : {};
  const plan = isObj(header.plan) ? header.plan : {};
  const error = header.error;

  return {
    source: 'inspect',
    format,
    task,
    task_version: scalarText(ev.task_version),
    model,
    dataset: text(dataset.name) ?? text(dataset.location),
    harness_version: text(packages.inspect_ai),
    status: status as RunStatus,
    created_at: toUtcTimestamp(ev.created),
    completed_at: toUtcTimestamp(stats.completed_at),
    config: compact({
      model_args: ev.model_args,
      model_generate_config: ev.model_generate_config,
      plan_config: plan.config,
      eval_config: ev.config,
      revision: ev.revision,
      task_args: ev.task_args,
      model_roles: ev.model_roles,
      run_id: ev.run_id,
      eval_id: ev.eval_id,
      task_id: ev.task_id,
      eval_set_id: ev.eval_set_id,
      started_at: toUtcTimestamp(stats.started_at) ?? undefined,
      log_version: header.version,
      // Kept (and so scanned for credentials): real logs carry tokens in scorer and solver params.
      scorers: scorerParams(results),
      plan_steps: plan.steps,
      metadata: ev.metadata,
    }),
    token_usage: mapTokenUsage(stats.model_usage),
    error: isObj(error) ? text(error.message) : text(error),
    sample_count: count(results.total_samples) ?? count(dataset.samples),
  };
}

function scorerParams(results: Obj): unknown {
  if (Array.isArray(results.scores)) {
    return results.scores.filter(isObj).map((s) => compact({ name: s.name, scorer: s.scorer, reducer: s.reducer, params: s.params }));
  }
  return isObj(results.scorer) ? [compact({ name: results.scorer.name, params: results.scorer.params })] : undefined;
}

/**
 * One result per (scorer [+ "/" + reducer], metric). A sibling metric named
 * "stderr" becomes the stderr of the others (but not of "std" or "var",
 * which are spreads, not estimates of a mean).
 */
export function mapResults(header: Obj, task: string): ParsedResult[] {
  const results = header.results;
  if (!isObj(results)) return [];
  const completed = count(results.completed_samples);
  const out: ParsedResult[] = [];
  if (Array.isArray(results.scores)) {
    for (const score of results.scores) {
      if (!isObj(score)) continue;
      const name = text(score.name) ?? text(score.scorer) ?? 'score';
      const reducer = text(score.reducer);
      const scorer = reducer ? `${name}/${reducer}` : name;
      pushMetrics(out, task, scorer, score.metrics, count(score.scored_samples) ?? completed);
    }
  } else if (isObj(results.scorer) || isObj(results.metrics)) {
    // Legacy layout: one scorer and its metrics directly under results.
    const scorer = isObj(results.scorer) ? (text(results.scorer.name) ?? 'score') : 'score';
    pushMetrics(out, task, scorer, results.metrics, completed);
  }
  return out;
}

const SPREAD_METRICS = new Set(['std', 'var', 'stderr']);

function pushMetrics(out: ParsedResult[], task: string, scorer: string, metrics: unknown, n: number | null): void {
  const list: [string, unknown][] = Array.isArray(metrics)
    ? metrics.map((m, i) => [isObj(m) ? (text(m.name) ?? String(i)) : String(i), m])
    : isObj(metrics)
      ? Object.entries(metrics)
      : [];
  const values = list
    .map(([key, m]) => ({ metric: key, value: isObj(m) ? toNumber(m.value) : toNumber(m) }))
    .filter((m): m is { metric: string; value: number } => m.value !== null);
  const stderr = values.find((m) => m.metric === 'stderr')?.value ?? null;
  const others = values.filter((m) => m.metric !== 'stderr');
  for (const m of others.length > 0 ? others : values) {
    out.push({
      task,
      scorer,
      metric: m.metric,
      value: m.value,
      stderr: SPREAD_METRICS.has(m.metric) ? null : stderr,
      n,
      higher_is_better: null,
    });
  }
}

function mapTokenUsage(usage: unknown): Record<string, TokenUsage> {
  const out: Record<string, TokenUsage> = {};
  if (!isObj(usage)) return out;
  for (const [model, u] of Object.entries(usage)) {
    if (!isObj(u)) continue;
    const other: Record<string, number> = {};
    for (const [k, v] of Object.entries(u)) {
      if (k === 'input_tokens' || k === 'output_tokens' || k === 'total_tokens') continue;
      const n = toNumber(v);
      if (n !== null) other[k] = n;
    }
    out[model] = {
      input_tokens: toNumber(u.input_tokens),
      output_tokens: toNumber(u.output_tokens),
      total_tokens: toNumber(u.total_tokens),
      other,
    };
  }
  return out;
}

// ---------------------------------------------------------------- samples

export type SampleContext = {
  label: string;
  task: string;
  location: SampleLocation;
  /**
   * Content for an `attachment://<key>` reference that the sample itself
   * does not hold (the chunked layout keeps attachments in other members).
   */
  attachment?: (key: string) => string | undefined;
};

const ATTACHMENT = 'attachment://';
const TRANSCRIPT_CONTENT = 'tc://';

export function mapSample(raw: unknown, ctx: SampleContext): ParsedSample {
  if (!isObj(raw)) throw new LogFormatError(`${ctx.label} has a sample that is not an object (${describeLocation(ctx.location)}).`);
  const id = raw.id;
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new LogFormatError(`${ctx.label} has a sample without an id (${describeLocation(ctx.location)}).`);
  }
  if (nestedDeeperThan(raw, MAX_NESTING)) {
    throw new LogFormatError(`${ctx.label} has a sample nesting values more than ${MAX_NESTING} levels deep (${describeLocation(ctx.location)}).`);
  }
  const resolve = resolver(raw, ctx);
  const error = raw.error;
  return {
    task: ctx.task,
    sample_id: String(id),
    epoch: count(raw.epoch) ?? 1,
    input: flattenInput(raw.input, resolve) + choicesText(raw.choices, resolve),
    target: flattenTarget(raw.target, resolve),
    output: flattenOutput(raw.output, resolve),
    scores: mapScores(raw.scores, resolve),
    error: isObj(error) ? (text(error.message) ?? null) : typeof error === 'string' ? error : null,
    location: ctx.location,
    hashes: {},
  };
}

/** `attachment://N` references (chunked layout) among the fields a sample's text is built from. */
export function indexedAttachmentRefs(raw: unknown): number[] {
  if (!isObj(raw)) return [];
  const found = new Set<number>();
  // References sit a few levels down (message → content part → text); a
  // hostile file nested deeper than any real one must not exhaust the stack.
  const visit = (v: unknown, depth: number): void => {
    if (typeof v === 'string') {
      if (v.startsWith(ATTACHMENT)) {
        const key = v.slice(ATTACHMENT.length);
        if (/^\d+$/.test(key)) found.add(Number(key));
      }
    } else if (depth < 16 && Array.isArray(v)) v.forEach((x) => visit(x, depth + 1));
    else if (depth < 16 && isObj(v)) Object.values(v).forEach((x) => visit(x, depth + 1));
  };
  [raw.input, raw.target, raw.output, raw.scores, raw.error].forEach((v) => visit(v, 0));
  return [...found].sort((a, b) => a - b);
}

type Resolve = (s: string) => string;

function resolver(sample: Obj, ctx: SampleContext): Resolve {
  const attachments = isObj(sample.attachments) ? sample.attachments : {};
  const transcript = isObj(sample.transcript) && isObj(sample.transcript.content) ? sample.transcript.content : {};
  return (s) => {
    if (s.startsWith(ATTACHMENT)) {
      const key = s.slice(ATTACHMENT.length);
      const hit = attachments[key];
      if (typeof hit === 'string') return hit;
      return ctx.attachment?.(key) ?? s;
    }
    if (s.startsWith(TRANSCRIPT_CONTENT)) {
      const hit = transcript[s.slice(TRANSCRIPT_CONTENT.length)];
      return typeof hit === 'string' ? hit : s;
    }
    return s;
  };
}

function flattenInput(input: unknown, resolve: Resolve): string {
  if (typeof input === 'string') return resolve(input);
  if (!Array.isArray(input)) return '';
  return input.map((m) => flattenMessage(m, resolve)).join('\n');
}

/** Multiple-choice samples keep the options apart from the question; a reader needs both. */
function choicesText(choices: unknown, resolve: Resolve): string {
  if (!Array.isArray(choices) || choices.length === 0) return '';
  const lines = choices.map((c, i) => `${i < 26 ? String.fromCharCode(65 + i) : String(i + 1)}) ${typeof c === 'string' ? resolve(c) : JSON.stringify(c)}`);
  return `\n\nChoices:\n${lines.join('\n')}`;
}

function flattenMessage(m: unknown, resolve: Resolve): string {
  if (typeof m === 'string') return resolve(m);
  if (!isObj(m)) return '';
  const lines = [flattenContent(m.content, resolve), ...toolCallLines(m.tool_calls)];
  if (isObj(m.error)) lines.push(`[tool error: ${text(m.error.message) ?? text(m.error.type) ?? 'unknown'}]`);
  return `${text(m.role) ?? 'message'}: ${lines.filter((l) => l !== '').join('\n')}`;
}

function toolCallLines(calls: unknown): string[] {
  if (!Array.isArray(calls)) return [];
  return calls.filter(isObj).map((c) => `[tool call: ${text(c.function) ?? '?'}(${c.arguments === undefined ? '' : JSON.stringify(c.arguments)})]`);
}

/** A message's content: a string, or typed parts (text, image, reasoning, …). */
function flattenContent(content: unknown, resolve: Resolve): string {
  if (typeof content === 'string') return resolve(content);
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => flattenPart(part, resolve))
    .filter((s) => s !== '')
    .join('\n');
}

function flattenPart(part: unknown, resolve: Resolve): string {
  if (typeof part === 'string') return resolve(part);
  if (!isObj(part)) return '';
  const type = text(part.type) ?? 'content';
  switch (type) {
    case 'text':
      return typeof part.text === 'string' ? resolve(part.text) : '';
    case 'reasoning': {
      // Providers often return reasoning encrypted (redacted); its summary is what a person can read.
      const summary = text(part.summary);
      if (summary) return `[reasoning summary] ${resolve(summary)}`;
      if (part.redacted === true || part.redacted === 'True') return '[reasoning redacted]';
      return typeof part.reasoning === 'string' ? `[reasoning] ${resolve(part.reasoning)}` : '[reasoning]';
    }
    case 'document':
      return text(part.filename) ? `[document: ${text(part.filename)}]` : '[document]';
    case 'tool_use':
      return `[tool use: ${text(part.name) ?? '?'}]`;
    default:
      // image, audio, video, data and future types: their payload is not text.
      return `[${type}]`;
  }
}

function flattenTarget(target: unknown, resolve: Resolve): string {
  if (typeof target === 'string') return resolve(target);
  if (Array.isArray(target)) return target.map((t) => (typeof t === 'string' ? resolve(t) : JSON.stringify(t))).join('\n');
  return '';
}

function flattenOutput(output: unknown, resolve: Resolve): string {
  if (!isObj(output)) return '';
  const first: unknown = Array.isArray(output.choices) ? output.choices[0] : undefined;
  const message = isObj(first) && isObj(first.message) ? first.message : null;
  const fromMessage = message
    ? [flattenContent(message.content, resolve), ...toolCallLines(message.tool_calls)].filter((l) => l !== '').join('\n')
    : '';
  if (fromMessage !== '') return fromMessage;
  return typeof output.completion === 'string' ? resolve(output.completion) : '';
}

function mapScores(scores: unknown, resolve: Resolve): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isObj(scores)) return out;
  for (const [name, s] of Object.entries(scores)) {
    if (!isObj(s)) {
      out[name] = { value: s };
      continue;
    }
    const entry: Obj = { value: s.value };
    if (typeof s.answer === 'string') entry.answer = resolve(s.answer);
    if (typeof s.explanation === 'string') entry.explanation = resolve(s.explanation);
    out[name] = entry;
  }
  return out;
}

/** Inspect's own order: by epoch, then id (numbers numerically and before strings). */
export function compareSampleKeys(a: { id: string; epoch: number }, b: { id: string; epoch: number }): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  const an = /^\d+$/.test(a.id);
  const bn = /^\d+$/.test(b.id);
  if (an && bn) return Number(a.id) - Number(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  if (an !== bn) return an ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function describeLocation(loc: SampleLocation): string {
  return loc.kind === 'zip-member' ? `entry ${loc.member}` : `at byte ${loc.offset}`;
}

// ---------------------------------------------------------------- values

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function scalarText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A number, keeping NaN and ±Infinity (also when written as strings). */
function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  return null;
}

function compact(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const ISO_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}:?\d{2})?$/;

/**
 * RFC 3339 UTC with milliseconds, from Inspect's ISO-8601 with offset (a
 * missing offset is read as UTC) or Unix seconds; "" and junk give null.
 */
export function toUtcTimestamp(v: unknown): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? safeIso(v * 1000) : null;
  if (typeof v !== 'string') return null;
  const m = ISO_RE.exec(v.trim());
  if (!m) return null;
  const frac = (m[4] ?? '').padEnd(3, '0').slice(0, 3);
  let zone = m[5] ?? 'Z';
  if (zone === 'z') zone = 'Z';
  if (zone.length === 5) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return safeIso(Date.parse(`${m[1]}T${m[2]}:${m[3] ?? '00'}.${frac}${zone}`));
}

function safeIso(ms: number): string | null {
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
