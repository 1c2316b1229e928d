import { z } from 'zod';
import { RecordId } from './ids';

/** One event of a record's history, from the audit chain. */
export const HistoryEntry = z.strictObject({
  seq: z.number().int(),
  at: z.string(),
  /** Key id of who did it, and their name when this workspace knows the key. */
  actor: z.string(),
  actor_name: z.string().nullable(),
  action: z.enum(['create', 'update', 'delete']),
  revision: z.number().int(),
  /** Fields that differ from the revision before (empty for a create). */
  changed: z.array(z.string()),
  /** For status changes: from and to. */
  status_change: z.strictObject({ from: z.string(), to: z.string() }).nullable(),
  /** The revision arrived in a bundle: actor and time are its author's, not this workspace's. */
  via_bundle: z.boolean(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const RecordHistory = z.strictObject({ id: RecordId, type: z.string(), entries: z.array(HistoryEntry) });
export type RecordHistory = z.infer<typeof RecordHistory>;
