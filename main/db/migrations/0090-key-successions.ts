import type { Db } from '../open';

/*
 * Key rotation and lost-key re-assignment (issue 7): an author is a chain of
 * keys. Each link is a signed statement (shared/domain/keySuccession.ts),
 * kept verbatim so bundles can carry it on and anyone can check it again.
 *
 * Who counts as a supervisor needs no change here: a key trusted through a
 * rotation or re-assignment is a trusted_keys row like any other (its insert
 * fires migration 0070's shown-status triggers), and this workspace's own
 * former key is kept in trusted_keys under its own name and role.
 */
export function up(db: Db): void {
  db.exec(`
    CREATE TABLE key_successions (
      -- A key has at most one successor, and a key succeeds at most one key.
      old_key_id TEXT PRIMARY KEY CHECK (length(old_key_id) = 64),
      new_key_id TEXT NOT NULL UNIQUE CHECK (length(new_key_id) = 64),
      kind TEXT NOT NULL CHECK (kind IN ('rotation', 'reassignment')),
      -- The old key for a rotation, a supervisor's key for a re-assignment.
      signed_by TEXT NOT NULL CHECK (length(signed_by) = 64),
      old_public_key_pem TEXT NOT NULL,
      new_public_key_pem TEXT NOT NULL,
      -- When the issuer made the statement, and when this workspace learned it.
      at TEXT NOT NULL,
      recorded_at TEXT NOT NULL,
      -- The DSSE envelope, canonical JSON, byte for byte as signed.
      envelope TEXT NOT NULL,
      CHECK (old_key_id <> new_key_id)
    ) STRICT;

    -- This workspace's keys: the current one and every key it succeeded. Its
    -- author may edit records written under any of them.
    CREATE VIEW own_keys AS
      WITH RECURSIVE chain (key_id) AS (
        SELECT key_id FROM identity
        UNION SELECT s.old_key_id FROM key_successions AS s JOIN chain ON s.new_key_id = chain.key_id
      )
      SELECT key_id FROM chain;
  `);
}
