import type { Db } from '../open';

export function up(db: Db): void {
  db.exec(`
    -- Keys whose bundles this workspace accepts (DESIGN.md "Signed bundle format v1").
    -- A key is never deleted: untrusting it sets untrusted_at, so what it signed
    -- before can still be named and flagged, and its bundles are refused from then on.
    CREATE TABLE trusted_keys (
      key_id TEXT PRIMARY KEY CHECK (length(key_id) = 64),
      name TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('evaluator', 'supervisor')),
      public_key_pem TEXT NOT NULL,
      trusted_at TEXT NOT NULL,
      untrusted_at TEXT
    ) STRICT;
  `);
}
