/**
 * The Api contract: every call the renderer can make, declared once with its
 * input and output schema, and every event main can send. main registers one
 * handler per call; IPC (preload) and the serve host (HTTP) carry the same calls.
 * Channel names are `domain:action`.
 */
import { z } from 'zod';
import { AuditReport } from '../domain/audit';
import { Engagement, EngagementChanges, EngagementInput } from '../domain/engagement';
import { KeyId, RecordId } from '../domain/ids';
import { Identity, IdentityInput, Passphrase } from '../domain/identity';
import { RunWithResults, Sample, SampleOutcome, SamplePage } from '../domain/imports';
import { ManualRunInput, Threshold, ThresholdInput, Comparison } from '../domain/run';
import { AuthorStatus, Finding, FindingChanges, FindingFilter, FindingInput, FindingPage, FindingView } from '../domain/finding';
import { RecordHistory } from '../domain/history';
import { Attachment, Note, NoteInput, NoteTarget } from '../domain/note';
import { SearchQuery, SearchResult } from '../domain/search';
import { ExportPreview, Role, TrustedKey } from '../domain/bundle';
import { Determination, DeterminationInput, DeterminationView, Review, ReviewInput, ReviewView } from '../domain/review';
import { Summary } from '../domain/summary';
import { FileFilter, FileRef } from './files';
import { JobFinished, JobId, JobProgress, JobStarted, JobSummary } from './jobs';

const none = z.strictObject({});
const byId = z.strictObject({ id: RecordId });

export const WorkspaceStatus = z.strictObject({
  /** 'damaged': the workspace could not be opened (see `problem`); only restoring a backup is offered. */
  state: z.enum(['uninitialized', 'locked', 'unlocked', 'damaged']),
  /** Why a damaged workspace could not be opened, one sentence. */
  problem: z.string().optional(),
  identity: Identity.nullable(),
  app_version: z.string(),
  /** Where the workspace lives, for the About panel and support. */
  data_dir: z.string(),
  /** 'desktop' (Electron IPC) or 'browser' (serve host). */
  transport: z.enum(['desktop', 'browser']),
});
export type WorkspaceStatus = z.infer<typeof WorkspaceStatus>;

function call<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, doc: string) {
  return { input, output, doc };
}

export const calls = {
  'workspace:status': call(none, WorkspaceStatus, 'Whether a workspace exists and is unlocked, and whose it is.'),
  'workspace:create': call(
    IdentityInput.extend({ encrypt: z.boolean().default(false) }),
    WorkspaceStatus,
    'First run: create the identity (key pair under a passphrase); with encrypt, the workspace is encrypted at rest from the start.',
  ),
  'workspace:unlock': call(z.strictObject({ passphrase: Passphrase }), WorkspaceStatus, 'Unlock with the passphrase.'),
  'workspace:lock': call(none, WorkspaceStatus, 'Forget the unlocked key material.'),

  'engagements:list': call(
    z.strictObject({ include_closed: z.boolean().default(true) }),
    z.array(Engagement),
    'Every engagement, newest access start first.',
  ),
  'engagement:get': call(byId, Engagement, 'One engagement by id.'),
  'engagement:create': call(EngagementInput, Engagement, 'Create an engagement authored by this workspace.'),
  'engagement:update': call(
    z.strictObject({
      id: RecordId,
      /** When given, the edit is refused if someone saved a newer revision meanwhile. */
      base_revision: z.number().int().min(1).optional(),
      changes: EngagementChanges,
    }),
    Engagement,
    'Edit an engagement this workspace authored.',
  ),
  'engagement:close': call(byId, Engagement, 'Mark an engagement closed.'),

  'imports:start': call(
    z.strictObject({
      engagement_id: RecordId,
      files: z.array(FileRef).min(1, { message: 'must name at least one file' }).max(200),
      /** lm-eval samples files to pair with results files (those beside them are found on their own). */
      samples: z.array(FileRef).max(500).default([]),
    }),
    JobStarted,
    'Import evaluation logs as a job; job:finished carries an ImportSummary.',
  ),
  'runs:list': call(z.strictObject({ engagement_id: RecordId }), z.array(RunWithResults), 'Runs of an engagement with their results, newest first.'),
  'run:get': call(byId, RunWithResults, 'One run with its results.'),
  'run:createManual': call(ManualRunInput, RunWithResults, 'Record a run and its results by hand, for harnesses EvalNotes does not parse.'),
  'samples:list': call(
    z.strictObject({
      run_id: RecordId,
      /** Words to find in input, target or output (full-text search). */
      query: z.string().max(500).default(''),
      outcome: SampleOutcome.default('all'),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(100),
    }),
    SamplePage,
    'A page of a run’s samples, optionally filtered by text.',
  ),
  'sample:get': call(byId, Sample, 'One sample with its full input, target, output and scores.'),

  'thresholds:list': call(z.strictObject({ engagement_id: RecordId }), z.array(Threshold), 'The engagement’s local thresholds (sensitive: they stay on this machine).'),
  'threshold:create': call(ThresholdInput, Threshold, 'Add a threshold for (task, scorer or filter, metric).'),
  'threshold:update': call(
    z.strictObject({
      id: RecordId,
      base_revision: z.number().int().min(1).optional(),
      changes: z.strictObject({ comparison: Comparison.optional(), value: ThresholdInput.shape.value.optional() }),
    }),
    Threshold,
    'Change a threshold’s comparison or value.',
  ),
  'threshold:delete': call(byId, z.strictObject({ deleted: z.literal(true) }), 'Remove a threshold (a tombstone revision).'),

  'findings:list': call(FindingFilter, FindingPage, 'A page of findings (all engagements, or one), filtered and sorted; rows carry no Markdown.'),
  'finding:get': call(byId, FindingView, 'One finding with the status it shows.'),
  'finding:atRevision': call(z.strictObject({ id: RecordId, revision: z.number().int().min(1) }), Finding, 'A finding as it was at an earlier revision.'),
  'finding:create': call(FindingInput, Finding, 'Write a new finding (status draft); a CVSS vector gets its score computed.'),
  'finding:update': call(
    z.strictObject({ id: RecordId, base_revision: z.number().int().min(1).optional(), changes: FindingChanges }),
    Finding,
    'Edit a finding this workspace authored; every edit raises its revision.',
  ),
  'finding:setStatus': call(
    z.strictObject({ id: RecordId, base_revision: z.number().int().min(1).optional(), status: AuthorStatus }),
    Finding,
    'Move a finding through its author lifecycle (validated and rejected come only from a supervisor review).',
  ),
  'finding:addEvidence': call(
    z.strictObject({
      id: RecordId,
      evidence: z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('attachment'), attachment_id: RecordId }),
        z.strictObject({ kind: z.literal('run'), run_id: RecordId }),
        z.strictObject({ kind: z.literal('sample'), sample_id: RecordId, excerpt: z.string().max(20_000).optional() }),
      ]),
    }),
    Finding,
    'Cite an attachment, a run, or a sample (with an optional transcript excerpt) as evidence, in one action.',
  ),
  'finding:delete': call(byId, z.strictObject({ deleted: z.literal(true) }), 'Delete a finding (a tombstone revision; history keeps it).'),
  'finding:csaf': call(
    z.strictObject({
      finding_id: RecordId,
      /** Desktop: a ref from dialog:saveFile; browser: null, and the answer carries a one-time download URL. */
      to: FileRef.nullable(),
      /** The publisher's namespace (an http or https URL the organisation controls); by default a URN made from the organisation's name. */
      namespace: z.url({ protocol: /^https?$/, message: 'must be an http or https URL such as https://example.org' }).max(2000).optional(),
    }),
    z.strictObject({
      /** document.tracking.id of the advisory. */
      tracking_id: z.string(),
      /** The file name CSAF 2.0 gives the advisory (section 5.1). */
      file_name: z.string(),
      bytes: z.number().int().min(0),
      saved: z.boolean(),
      download_url: z.string().nullable(),
    }),
    'A software-vulnerability finding as a CSAF 2.0 security advisory (JSON): saved to the picked file (desktop) or offered once for download (browser).',
  ),

  'notes:list': call(
    z.strictObject({ engagement_id: RecordId, on: NoteTarget.optional() }),
    z.array(Note),
    'The engagement journal (every note, oldest first), or the notes on one record.',
  ),
  'note:create': call(NoteInput, Note, 'Write a Markdown note on an engagement, run, sample or finding.'),
  'note:update': call(
    z.strictObject({ id: RecordId, base_revision: z.number().int().min(1).optional(), body: Note.shape.body }),
    Note,
    'Save a note’s text (autosave calls this within a second of the last keystroke).',
  ),
  'note:delete': call(byId, z.strictObject({ deleted: z.literal(true) }), 'Delete a note (a tombstone revision).'),

  'attachment:add': call(
    z.strictObject({ engagement_id: RecordId, file: FileRef }),
    Attachment,
    'Keep a file as evidence: stored once by SHA-256; the same bytes again return the existing attachment.',
  ),
  'attachments:list': call(z.strictObject({ engagement_id: RecordId }), z.array(Attachment), 'An engagement’s attachments, newest first.'),
  'attachment:preview': call(
    byId,
    z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('image'), media_type: z.string(), base64: z.string() }),
      z.strictObject({ kind: z.literal('text'), text: z.string(), truncated: z.boolean() }),
      z.strictObject({ kind: z.literal('none') }),
    ]),
    'What can be shown inline: an image (≤ 20 MB) or the start of a text file; otherwise none (download it).',
  ),
  'attachment:download': call(
    z.strictObject({ id: RecordId, to: FileRef.nullable() }),
    z.strictObject({ saved: z.boolean(), download_url: z.string().nullable() }),
    'Desktop: copy the bytes to a file picked with dialog:saveFile. Browser: a one-time URL the serve host answers with the bytes.',
  ),
  'files:fromBytes': call(
    z.strictObject({ name: z.string().min(1).max(255), bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength <= 50 * 1024 * 1024, { message: 'must be at most 50 MB' }) }),
    FileRef,
    'Desktop only: bytes the person pasted (a screenshot) become a file ref, like a picked file.',
  ),

  'search:query': call(SearchQuery, SearchResult, 'Full-text search over findings, notes and samples, ranked by bm25, with highlighted snippets.'),
  'record:history': call(byId, RecordHistory, 'Who did what to a record and when, from the audit chain, one entry per revision.'),

  'keys:show': call(none, Identity, 'This workspace’s own key: id, a fingerprint people can read aloud, the public key.'),
  'keys:list': call(none, z.array(TrustedKey), 'The trust store: keys whose bundles are accepted, with name and role.'),
  'keys:trust': call(
    z.strictObject({ public_key_pem: z.string().min(1).max(1000), name: z.string().trim().min(1).max(200), role: Role }),
    TrustedKey,
    'Trust a public key (SPKI PEM) as an evaluator or supervisor.',
  ),
  'keys:untrust': call(z.strictObject({ key_id: KeyId }), TrustedKey, 'Stop trusting a key: its bundles are refused from now on and what it signed before is flagged.'),
  'keys:rotate': call(
    z.strictObject({ passphrase: Passphrase }),
    Identity,
    'Replace this workspace’s signing key with a new one; the old key signs a rotation statement that every later bundle carries, and its private half is destroyed here.',
  ),
  'keys:reassign': call(
    z.strictObject({ lost_key_id: KeyId, new_public_key_pem: z.string().min(1).max(1000) }),
    TrustedKey,
    'Supervisors: name a new key for the author of a lost trusted key, in a statement signed by this workspace’s key; the lost key’s bundles are refused from then on.',
  ),
  'keys:changePassphrase': call(
    z.strictObject({ current: Passphrase, next: Passphrase }),
    z.strictObject({ changed: z.literal(true) }),
    'Change the passphrase: the master key is rewrapped, nothing else changes.',
  ),
  'keys:exportPublic': call(
    z.strictObject({ to: FileRef.nullable() }),
    z.strictObject({ saved: z.boolean(), file_name: z.string(), download_url: z.string().nullable() }),
    'This workspace’s public key as a .pub file (SPKI PEM) for others to trust. Desktop: written to a ref from dialog:saveFile. Browser: a one-time download URL.',
  ),

  'bundle:preview': call(
    z.strictObject({ engagement_id: RecordId, findings: z.array(RecordId).max(10_000).nullable().default(null), include_thresholds: z.boolean().default(false) }),
    ExportPreview,
    'What an export would carry: marking, counts, thresholds or not, credential warnings to resolve.',
  ),
  'bundle:export': call(
    z.strictObject({
      engagement_id: RecordId,
      findings: z.array(RecordId).max(10_000).nullable().default(null),
      include_thresholds: z.boolean().default(false),
      forward: z.array(FileRef).max(100).default([]),
      /** The person saw the credential warnings and exports anyway (recorded as an audit event). */
      confirm_credentials: z.boolean().default(false),
      /** Desktop: a ref from dialog:saveFile; browser: null, and the job result carries a download URL. */
      to: FileRef.nullable(),
    }),
    JobStarted,
    'Write a signed bundle as a job; job:finished carries an ExportSummary.',
  ),
  'bundle:verify': call(z.strictObject({ file: FileRef }), JobStarted, 'Verify a bundle as a job; job:finished carries a VerifyReport.'),
  'bundle:ingest': call(
    z.strictObject({ file: FileRef }),
    JobStarted,
    'Verify a bundle, then merge it and the bundles it forwards in one transaction, as a job; job:finished carries an IngestSummary.',
  ),

  'reviews:list': call(z.strictObject({ finding_id: RecordId }), z.array(ReviewView), 'Every review of a finding, newest first, with whether it counts (by a supervisor key) and whether the finding changed since.'),
  'review:create': call(
    ReviewInput,
    Review,
    'A supervisor’s verdict (validated, rejected, needs-info) on the finding’s current revision; refused for a workspace whose own role is evaluator.',
  ),
  'determination:get': call(
    z.strictObject({ engagement_id: RecordId }),
    DeterminationView,
    'The engagement’s current coverage decision and the evidence for it: which results meet which thresholds.',
  ),
  'determination:record': call(
    DeterminationInput,
    Determination,
    'Record (or revise) this supervisor’s coverage decision on an engagement; it rests on the results and thresholds as they stand.',
  ),
  'summary:get': call(none, Summary, 'Every engagement at a glance: window, determination, findings by severity and shown status, verdicts awaited, results against thresholds.'),
  'report:save': call(
    z.strictObject({
      engagement_id: RecordId,
      format: z.enum(['html', 'pdf']),
      /** Thresholds are sensitive: in the report only when the person chooses (the same question as export). */
      include_thresholds: z.boolean().default(false),
      /** Desktop: a ref from dialog:saveFile; browser: null, and the answer carries a one-time download URL. */
      to: FileRef.nullable(),
    }),
    z.strictObject({ file_name: z.string(), bytes: z.number().int().min(0), pages: z.number().int().min(1).nullable(), saved: z.boolean(), download_url: z.string().nullable() }),
    'The engagement’s print-ready report, with the handling marking on every page: self-contained HTML, or PDF where the platform can print.',
  ),

  'audit:verify': call(none, AuditReport, 'Recompute the audit chain and name the first broken link.'),

  'backup:create': call(
    z.strictObject({
      /** Desktop: a ref from dialog:saveFile; browser: null, and the job result carries a one-time download URL. */
      to: FileRef.nullable(),
    }),
    JobStarted,
    'Write a backup of the whole workspace (the database through SQLite’s online backup API, every file byte for byte, a manifest of SHA-256 digests) as a job; job:finished carries a BackupSummary.',
  ),
  'backup:restore': call(
    z.strictObject({ file: FileRef }),
    JobStarted,
    'Replace this app’s workspace (damaged, not yet created, or locked) with a backup, as a job: everything is checked first, the folder there is moved aside (never deleted); job:finished carries a RestoreSummary.',
  ),

  'jobs:list': call(none, z.array(JobSummary), 'Jobs running now or finished in this session.'),
  'job:cancel': call(z.strictObject({ job_id: JobId }), z.strictObject({ cancelled: z.boolean() }), 'Ask a job to stop.'),

  'dialog:openFiles': call(
    z.strictObject({ title: z.string().max(200), filters: z.array(FileFilter).max(10), multiple: z.boolean() }),
    z.array(FileRef),
    'Desktop only: native open dialog; returns refs for the picked files (none if cancelled).',
  ),
  'files:dropped': call(
    z.strictObject({ path: z.string().min(1).max(4096) }),
    FileRef,
    'Desktop only, and only from the preload: a file dropped on the window becomes a ref. The renderer never sees this call (see renderer-facing calls below).',
  ),
  'dialog:saveFile': call(
    z.strictObject({ title: z.string().max(200), default_name: z.string().max(255), filters: z.array(FileFilter).max(10) }),
    FileRef.nullable(),
    'Desktop only: native save dialog; returns a ref to write to, or null if cancelled.',
  ),
} as const;

export const events = {
  'job:progress': JobProgress,
  'job:finished': JobFinished,
  /** Records changed (by this app, another window or the CLI): refresh views. */
  'records:changed': z.strictObject({ types: z.array(z.string()) }),
  /** An encrypted workspace locked itself after idle time: show the unlock screen. */
  'workspace:locked': z.strictObject({ reason: z.literal('idle'), after_ms: z.number().int().positive() }),
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type EventName = keyof typeof events;
export type CallInput<K extends CallName> = z.input<Calls[K]['input']>;
export type CallArgs<K extends CallName> = z.output<Calls[K]['input']>;
export type CallOutput<K extends CallName> = z.output<Calls[K]['output']>;
export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>;

export const callNames = Object.keys(calls) as CallName[];

/**
 * Calls only the preload makes, with what only it can know: the path of a file
 * the person dropped (Electron's webUtils.getPathForFile). The page never gets
 * them, so it cannot name a path of its own choosing.
 */
export const PRELOAD_ONLY_CALLS = ['files:dropped'] as const satisfies readonly CallName[];
export type RendererCallName = Exclude<CallName, (typeof PRELOAD_ONLY_CALLS)[number]>;
export const rendererCallNames = callNames.filter((n): n is RendererCallName => !(PRELOAD_ONLY_CALLS as readonly string[]).includes(n));
export const eventNames = Object.keys(events) as EventName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(calls, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
