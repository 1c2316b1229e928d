import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hitLine } from '../../../main/cli/commands/notebook';
import { MARK_END, MARK_START, SearchResult } from '../../../shared/domain/search';
import { tempDir } from '../../helpers/app';
import { runCli, expectOneLineFailure, type CliResult } from '../../helpers/cli';

const PASS = { EVALNOTES_PASSPHRASE: 'correct horse battery staple' };
const dir = tempDir('evalnotes-cli-notebook-');
const ws = join(dir.path, 'ws');
const cli = (args: string[], opts: { input?: string } = {}) => runCli(['--data-dir', ws, ...args], { env: PASS, ...opts });
const file = (name: string, content: string | Buffer) => {
  const path = join(dir.path, name);
  writeFileSync(path, content);
  return path;
};

function json<T>(r: CliResult): T {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}
let engagement = '';
let finding = '';

beforeAll(() => {
  json(cli(['init', '--name', 'Ada Lovelace', '--org', 'Evaluation Institute', '--role', 'evaluator', '--json']));
  engagement = json<{ id: string }>(cli(['engagement', 'add', '--developer', 'Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01', '--json'])).id;
  finding = json<{ id: string }>(
    cli(['finding', 'add', '--engagement', engagement, '--title', 'Ladder logic overwrite', '--kind', 'software-vulnerability', '--severity', 'critical', '--json']),
  ).id;
});
afterAll(() => dir.cleanup());

describe('evalnotes note add, attach, search', () => {
  it('adds a note on an engagement and on a finding, from a file or standard input', () => {
    const body = '# Day 12\n\nThe model chained two bugs in the **ladder** logic UI.\n<script>alert(1)</script>\n';
    const onEngagement = json<{ id: string; engagement_id: string; on: unknown; body: string }>(cli(['note', 'add', '--on', engagement, '--file', file('day12.md', body), '--json']));
    expect(onEngagement).toMatchObject({ engagement_id: engagement, on: { type: 'engagement', id: engagement }, body });
    const onFinding = json<{ engagement_id: string; on: unknown; body: string }>(cli(['note', 'add', '--on', finding, '--file', '-', '--json'], { input: 'Retested: ladder still writable.' }));
    expect(onFinding).toMatchObject({ engagement_id: engagement, on: { type: 'finding', id: finding }, body: 'Retested: ladder still writable.' });
    const text = cli(['note', 'add', '--on', finding, '--file', file('short.md', 'plain output')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Added note [0-9a-f-]{36} on finding /);
  });

  it('refuses a missing target, a bad id and an unreadable file in one line', () => {
    expectOneLineFailure(cli(['note', 'add', '--on', '01900000-0000-7000-8000-000000000000', '--file', file('x.md', 'x')]), 1, /There is no record with id 01900000/);
    expectOneLineFailure(cli(['note', 'add', '--on', 'not-an-id', '--file', file('x.md', 'x')]), 1, /--on not-an-id: must be a record id/);
    expectOneLineFailure(cli(['note', 'add', '--on', engagement, '--file', join(dir.path, 'missing.md')]), 1, /--file .*missing\.md: there is no such file/);
    expectOneLineFailure(cli(['note', 'add', '--on', engagement, '--file', file('bell.md', 'ding \u0007')]), 1, /--file: must not contain control characters/);
  });

  it('attaches a file to a finding as cited evidence, once per content', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const path = file('screenshot.dat', png);
    const first = json<{ attachment: { id: string; sha256: string; media_type: string; name: string }; finding: { evidence: unknown[]; revision: number } }>(
      cli(['attach', '--to', finding, path, '--json']),
    );
    expect(first.attachment).toMatchObject({ media_type: 'image/png', name: 'screenshot.dat', sha256: createHash('sha256').update(png).digest('hex') });
    expect(first.finding.evidence).toEqual([{ kind: 'attachment', attachment_id: first.attachment.id, sha256: first.attachment.sha256, name: 'screenshot.dat' }]);
    expect(readFileSync(join(ws, 'blobs', first.attachment.sha256.slice(0, 2), first.attachment.sha256.slice(2)))).toEqual(png);
    // The same bytes again: the same attachment, and the finding already cites it.
    const again = json<typeof first>(cli(['attach', '--to', finding, file('copy.png', png), '--json']));
    expect(again.attachment.id).toBe(first.attachment.id);
    expect(again.finding.revision).toBe(first.finding.revision);

    const onEngagement = json<typeof first>(cli(['attach', '--to', engagement, file('ladder-notes.txt', 'ladder rung 4 rewritten\n'), '--json']));
    expect(onEngagement.attachment.media_type).toBe('text/plain');
    expect(onEngagement.finding).toBeNull();
    expectOneLineFailure(cli(['attach', '--to', finding, join(dir.path, 'nope.png')]), 1, /nope\.png: there is no such file/);
  });

  it('finds the finding and the notes, best first, and says what matched', () => {
    const result = SearchResult.parse(json(cli(['search', 'ladder', '--json'])));
    expect(result.capped).toBe(false);
    expect(result.hits.map((h) => h.type).sort()).toEqual(['finding', 'note', 'note']);
    expect(result.hits[0]).toMatchObject({ type: 'finding', id: finding, title: 'Ladder logic overwrite' });
    expect(result.hits.find((h) => h.title === 'Day 12')?.snippet).toContain(`${MARK_START}ladder${MARK_END}`);

    const notes = SearchResult.parse(json(cli(['search', 'ladd', '--type', 'note', '--engagement', engagement, '--json'])));
    expect(notes.hits.map((h) => h.type)).toEqual(['note', 'note']);
    expect(SearchResult.parse(json(cli(['search', 'ladder', '--severity', 'low', '--json']))).hits).toEqual([]);

    const text = cli(['search', 'ladder', 'logic']);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^finding  ${finding}  Ladder logic overwrite: `));
    expect(lines[1]).toMatch(/^note .*Day 12: .*\*\*\[ladder\]\*\* \[logic\] UI/);
    expect(cli(['search', 'zzqqxx']).stdout).toBe('No matches.\n');
  });

  it('refuses bad filters in one line', () => {
    expectOneLineFailure(cli(['search', 'x', '--type', 'thing']), 2, /--type/);
    expectOneLineFailure(cli(['search', 'x', '--engagement', 'nope']), 1, /--engagement: must be a UUIDv7 record id/);
    expectOneLineFailure(cli(['search', 'x', '--limit', '1000']), 1, /--limit: /);
  });
});

describe('a search hit on a terminal', () => {
  const hit = {
    type: 'sample' as const,
    id: '01900000-0000-7000-8000-000000000000',
    engagement_id: null,
    parent_id: null,
    title: 'task · 7\u001b[31m (epoch 1)',
    snippet: `…the \u001b]0;pwned\u0007 ${MARK_START}ladder${MARK_END}, then\nmore…`,
    rank: -1,
  };
  it('marks matches in brackets, or bold on a terminal, and never passes escape sequences through', () => {
    expect(hitLine(hit, false)).toBe('sample   01900000-0000-7000-8000-000000000000  task · 7 [31m (epoch 1): …the ]0;pwned [ladder], then more…');
    expect(hitLine(hit, true)).toContain('\u001b[1mladder\u001b[22m');
    // eslint-disable-next-line no-control-regex
    expect(hitLine(hit, true).replace('\u001b[1m', '').replace('\u001b[22m', '')).not.toMatch(/[\u0000-\u001f]/);
  });
});
