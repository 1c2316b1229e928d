/**
 * What an ingest keeps besides the records (migration 0060): where each
 * ingested record came from, and which soft references still wait for a
 * record that is not here yet. Runs inside the ingest's transaction.
 */
import type { IngestSummary } from '../../shared/domain/bundle';
import type { Db } from '../db/open';
import type { MergedRecord } from '../records/writeRecord';
import { referencesOf } from './references';

/** The bundle that holds a record (signed by its author), and the one that forwarded it, if any. */
export type Origin = { bundle_id: string; bundle_signer: string; via_bundle_id: string | null; via_signer: string | null };

/** Remembers, for records an ingest added or replaced, which bundle brought their current revision. */
export function noteOrigins(db: Db, stored: readonly { id: string; origin: Origin }[], now: string): void {
  const put = db.prepare(
    `INSERT OR REPLACE INTO record_origins (record_id, bundle_id, bundle_signer, via_bundle_id, via_signer, ingested_at)
     VALUES (@record_id, @bundle_id, @bundle_signer, @via_bundle_id, @via_signer, @ingested_at)`,
  );
  for (const s of stored) put.run({ record_id: s.id, ...s.origin, ingested_at: now });
}

/** Where an ingested record came from; null for a record written here. */
export function originOf(db: Db, recordId: string): (Origin & { ingested_at: string }) | null {
  const row = db.prepare('SELECT bundle_id, bundle_signer, via_bundle_id, via_signer, ingested_at FROM record_origins WHERE record_id = ?').get(recordId);
  return (row as (Origin & { ingested_at: string }) | undefined) ?? null;
}

/**
 * After a merge: a stored record waits for every record it refers to that is
 * not here (its earlier waits are replaced; a tombstone waits for nothing), and
 * nothing waits any longer for a record that has arrived. Call once all of
 * the ingest's records are stored, so references among them never wait.
 */
export function refreshWaiting(db: Db, merged: readonly MergedRecord[]): void {
  const exists = db.prepare('SELECT 1 FROM records WHERE id = ?').pluck();
  const clear = db.prepare('DELETE FROM waiting_refs WHERE record_id = ?');
  const wait = db.prepare('INSERT OR IGNORE INTO waiting_refs (record_id, waiting_for, waiting_for_type) VALUES (?, ?, ?)');
  const arrived = db.prepare('DELETE FROM waiting_refs WHERE waiting_for = ?');
  const stored = merged.filter((m) => m.outcome !== 'skipped');
  for (const { record } of stored) {
    clear.run(record.id);
    for (const ref of referencesOf(record)) if (exists.get(ref.id) === undefined) wait.run(record.id, ref.id, ref.type);
  }
  for (const m of stored) if (m.outcome === 'added') arrived.run(m.record.id);
}

/** Every soft reference in the workspace still waiting for its record, in a stable order. */
export function waitingList(db: Db): IngestSummary['waiting'] {
  return db
    .prepare(
      `SELECT w.record_id AS record_id, r.type AS type, w.waiting_for AS waiting_for
       FROM waiting_refs AS w JOIN records AS r ON r.id = w.record_id ORDER BY w.record_id, w.waiting_for`,
    )
    .all() as IngestSummary['waiting'];
}
