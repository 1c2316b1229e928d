/**
 * Publishes the bundle format as JSON Schemas (draft 2020-12), generated from the
 * zod schemas in shared/ with zod 4's z.toJSONSchema, into shared/schemas/:
 * bundle.json (the manifest), statement.json, envelope.json, audit-line.json and
 * records/<folder>.json for every record type. The schemas describe the JSON as
 * it sits in a bundle (zod's input side). test/unit/shared/schemas.test.ts fails
 * when a file is out of date.
 *
 *   npx tsx build/scripts/gen-schemas.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AuditLine, BundleManifest, DsseEnvelope, Statement } from '../../shared/domain/bundle';
import { KeySuccessionStatement } from '../../shared/domain/keySuccession';
import { recordFolders, recordSchemas, type StorableType } from '../../shared/domain/records';

export const SCHEMA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/schemas');
const ID_BASE = 'urn:evalnotes:schema:v1:';

function document(schema: z.ZodType, id: string, title: string): string {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    // The only custom types in shared/ are numbers taken as JSON.parse gives them
    // (z.number() would refuse NaN, which the codec writes as a string anyway).
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === 'custom') ctx.jsonSchema.type = 'number';
    },
  });
  return `${JSON.stringify({ $id: `${ID_BASE}${id}`, title, ...json }, null, 2)}\n`;
}

/** Every published schema: path under shared/schemas → file text. */
export function schemaDocuments(): Map<string, string> {
  const docs = new Map<string, string>([
    ['bundle.json', document(BundleManifest, 'bundle', 'EvalNotes bundle manifest (bundle.json)')],
    ['statement.json', document(Statement, 'statement', 'in-toto Statement v1 signed in bundle.dsse.json')],
    ['envelope.json', document(DsseEnvelope, 'envelope', 'DSSE envelope (bundle.dsse.json)')],
    ['audit-line.json', document(AuditLine, 'audit-line', 'One line of records/audit.jsonl')],
    ['key-succession.json', document(KeySuccessionStatement, 'key-succession', 'Key rotation or re-assignment statement, signed in keys/<old key id>.dsse.json')],
  ]);
  for (const [type, schema] of Object.entries(recordSchemas) as [StorableType, z.ZodType][]) {
    const folder = recordFolders[type];
    docs.set(`records/${folder}.json`, document(schema, `records/${folder}`, `EvalNotes ${type} record (records/${folder}/<id>.json)`));
  }
  return docs;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [path, text] of schemaDocuments()) {
    const target = join(SCHEMA_DIR, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  process.stdout.write(`Wrote ${schemaDocuments().size} schemas to ${SCHEMA_DIR}\n`);
}
