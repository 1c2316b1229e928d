import type { Db } from '../open';

export function up(db: Db): void {
  db.exec(`
    -- This workspace's identity: one row. The master key is wrapped by a key
    -- derived from the passphrase; the signing key is encrypted under the master key.
    CREATE TABLE identity (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      name TEXT NOT NULL,
      org TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('evaluator', 'supervisor')),
      key_id TEXT NOT NULL,
      public_key_pem TEXT NOT NULL,
      kdf TEXT NOT NULL,
      wrapped_master_key TEXT NOT NULL,
      encrypted_signing_key TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;

    -- Every record, whatever its type, as the canonical JSON that bundles carry.
    CREATE TABLE records (
      id TEXT PRIMARY KEY,
      type TEXT NOT NULL,
      author TEXT NOT NULL,
      revision INTEGER NOT NULL CHECK (revision >= 1),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      deleted INTEGER NOT NULL CHECK (deleted IN (0, 1)),
      body TEXT NOT NULL,
      hash TEXT NOT NULL,
      UNIQUE (author, id)
    ) STRICT;
    CREATE INDEX records_by_type ON records (type, deleted, updated_at);

    -- Every superseded revision (records holds the current one), so a record
    -- can be shown as it was.
    CREATE TABLE record_revisions (
      id TEXT NOT NULL REFERENCES records (id),
      revision INTEGER NOT NULL,
      body TEXT NOT NULL,
      hash TEXT NOT NULL,
      PRIMARY KEY (id, revision)
    ) STRICT;

    -- Hard references between records of one author (a result's run, a sample's
    -- run): the foreign key holds only within one author's records. References
    -- to other authors' records are soft and live in the record body alone.
    -- Deferred, so one transaction can bring in records in any order.
    CREATE TABLE record_refs (
      from_id TEXT NOT NULL REFERENCES records (id),
      author TEXT NOT NULL,
      to_id TEXT NOT NULL,
      PRIMARY KEY (from_id, to_id),
      FOREIGN KEY (author, to_id) REFERENCES records (author, id) DEFERRABLE INITIALLY DEFERRED
    ) STRICT;
    CREATE INDEX record_refs_to ON record_refs (to_id);

    -- The salted, hash-chained audit log (DESIGN.md, "Audit chain").
    CREATE TABLE audit_events (
      seq INTEGER PRIMARY KEY,
      record_id TEXT NOT NULL,
      body TEXT NOT NULL,
      body_hash TEXT NOT NULL,
      chain_hash TEXT NOT NULL
    ) STRICT;
    CREATE INDEX audit_events_by_record ON audit_events (record_id, seq);
  `);
}
