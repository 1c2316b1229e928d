/**
 * The Api contract: every call the renderer can make, declared once with its
 * input and output schema, and every event main can send. main registers one
 * handler per call; IPC (preload) and the serve host (HTTP) carry the same calls.
 * Channel names are `domain:action`.
 */
import { z } from 'zod';
import { AuditReport } from '../domain/audit';
import { Engagement, EngagementChanges, EngagementInput } from '../domain/engagement';
import { RecordId } from '../domain/ids';
import { Identity, IdentityInput, Passphrase } from '../domain/identity';
import { RunWithResults, Sample, SamplePage } from '../domain/imports';
import { ManualRunInput, Threshold, ThresholdInput, Comparison } from '../domain/run';
import { FileFilter, FileRef } from './files';
import { JobFinished, JobId, JobProgress, JobStarted, JobSummary } from './jobs';

const none = z.strictObject({});
const byId = z.strictObject({ id: RecordId });

export const WorkspaceStatus = z.strictObject({
  state: z.enum(['uninitialized', 'locked', 'unlocked']),
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
  'workspace:create': call(IdentityInput, WorkspaceStatus, 'First run: create the identity (key pair under a passphrase).'),
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

  'audit:verify': call(none, AuditReport, 'Recompute the audit chain and name the first broken link.'),

  'jobs:list': call(none, z.array(JobSummary), 'Jobs running now or finished in this session.'),
  'job:cancel': call(z.strictObject({ job_id: JobId }), z.strictObject({ cancelled: z.boolean() }), 'Ask a job to stop.'),

  'dialog:openFiles': call(
    z.strictObject({ title: z.string().max(200), filters: z.array(FileFilter).max(10), multiple: z.boolean() }),
    z.array(FileRef),
    'Desktop only: native open dialog; returns refs for the picked files (none if cancelled).',
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
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type EventName = keyof typeof events;
export type CallInput<K extends CallName> = z.input<Calls[K]['input']>;
export type CallArgs<K extends CallName> = z.output<Calls[K]['input']>;
export type CallOutput<K extends CallName> = z.output<Calls[K]['output']>;
export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>;

export const callNames = Object.keys(calls) as CallName[];
export const eventNames = Object.keys(events) as EventName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(calls, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
