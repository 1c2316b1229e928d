import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_DIR, schemaDocuments } from '../../../build/scripts/gen-schemas';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('the published JSON Schemas', () => {
  it('match the zod schemas (regenerate with `npx tsx build/scripts/gen-schemas.ts`)', () => {
    const docs = schemaDocuments();
    expect(docs.has('bundle.json')).toBe(true);
    expect(docs.has('records/findings.json')).toBe(true);
    for (const [path, text] of docs) {
      const file = join(SCHEMA_DIR, path);
      expect({ path, exists: existsSync(file) }).toEqual({ path, exists: true });
      expect({ path, upToDate: readFileSync(file, 'utf8') === text }).toEqual({ path, upToDate: true });
    }
    // Nothing stale left behind.
    expect(filesUnder(SCHEMA_DIR).map((f) => relative(SCHEMA_DIR, f)).sort()).toEqual([...docs.keys()].sort());
  });

  it('describe what a bundle holds: the manifest requires its format and id, records their envelope', () => {
    const manifest = JSON.parse(schemaDocuments().get('bundle.json')!) as { required: string[]; properties: Record<string, { const?: unknown }> };
    expect(manifest.required).toEqual(expect.arrayContaining(['format', 'version', 'id', 'created_at', 'created_by', 'handling', 'counts']));
    expect(manifest.properties.format?.const).toBe('evalnotes-bundle');
    const run = JSON.parse(schemaDocuments().get('records/runs.json')!) as { required: string[] };
    expect(run.required).toEqual(expect.arrayContaining(['id', 'author', 'revision', 'deleted', 'credential_warnings']));
  });
});
