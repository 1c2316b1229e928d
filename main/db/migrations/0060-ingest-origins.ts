import type { Db } from '../open';

export function up(db: Db): void {
  db.exec(`
    -- Where each ingested record's current revision came from (main/bundles/ingestBundle.ts):
    -- the signed bundle that holds it (signed by the record's author) and, when
    -- that bundle arrived forwarded inside another, the forwarding bundle and its
    -- signer. The UI shows the author and where the record came from. Written
    -- when an ingest adds or replaces the record; a skipped copy changes nothing.
    CREATE TABLE record_origins (
      record_id TEXT PRIMARY KEY REFERENCES records (id),
      bundle_id TEXT NOT NULL,
      bundle_signer TEXT NOT NULL,
      via_bundle_id TEXT,
      via_signer TEXT,
      ingested_at TEXT NOT NULL
    ) STRICT;

    -- Soft references of ingested records to records not in this workspace yet
    -- (a note on a finding from a bundle not ingested yet): shown as "waiting for …".
    -- A row goes when the record it waits for arrives, or when a newer revision
    -- (or a tombstone) of the waiting record no longer refers to it.
    CREATE TABLE waiting_refs (
      record_id TEXT NOT NULL REFERENCES records (id),
      waiting_for TEXT NOT NULL,
      -- The type the reference names (engagement, run, finding …).
      waiting_for_type TEXT NOT NULL,
      PRIMARY KEY (record_id, waiting_for)
    ) STRICT;
    CREATE INDEX waiting_refs_for ON waiting_refs (waiting_for);
  `);
}
