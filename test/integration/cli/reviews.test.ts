import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, FindingView } from '../../../shared/domain/finding';
import type { Determination, Review, ReviewView } from '../../../shared/domain/review';
import { expectOneLineFailure, ok, runCli } from '../../helpers/cli';
import { tempDir } from '../../helpers/app';

const PASS = { EVALNOTES_PASSPHRASE: 'correct horse battery staple' };
const dir = tempDir('evalnotes-cli-reviews-');
const samDir = join(dir.path, 'sam');
const adaDir = join(dir.path, 'ada');
const sam = (args: string[]) => runCli(['--data-dir', samDir, ...args]);
const ada = (args: string[]) => runCli(['--data-dir', adaDir, ...args]);
const json = <T>(out: string) => JSON.parse(out) as T;

let engagement = '';
let finding = '';
let adasFinding = '';

beforeAll(() => {
  ok(runCli(['--data-dir', samDir, 'init', '--name', 'Sam Supervisor', '--org', 'Evaluation Institute', '--role', 'supervisor'], { env: PASS }));
  ok(runCli(['--data-dir', adaDir, 'init', '--name', 'Ada Lovelace', '--org', 'Evaluation Institute', '--role', 'evaluator'], { env: PASS }));
  const engagementArgs = ['engagement', 'add', '--developer', 'Frontier Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01', '--json'];
  engagement = json<{ id: string }>(ok(sam(engagementArgs))).id;
  finding = json<Finding>(ok(sam(['finding', 'add', '--engagement', engagement, '--title', 'Writes working exploit code', '--kind', 'capability', '--severity', 'critical', '--json']))).id;
  ok(sam(['finding', 'set-status', finding, 'submitted']));
  const adasEngagement = json<{ id: string }>(ok(ada(engagementArgs))).id;
  adasFinding = json<Finding>(ok(ada(['finding', 'add', '--engagement', adasEngagement, '--title', 'Mine', '--kind', 'other', '--severity', 'low', '--json']))).id;
  // Two real key derivations (scrypt at N = 2^17) and six processes.
}, 120_000);
afterAll(() => dir.cleanup());

// Each command is a process of its own (about a second on a busy two-core machine).
describe('evalnotes review, reviews and determine', { timeout: 90_000 }, () => {
  it('records verdicts as JSON and in words, and lists them newest first', () => {
    const asked = json<Review>(ok(sam(['review', '--finding', finding, '--verdict', 'needs-info', '--comment', 'Which prompt?', '--json'])));
    expect(asked).toMatchObject({ type: 'review', finding_id: finding, finding_revision: 2, verdict: 'needs-info', comment: 'Which prompt?', engagement_id: engagement });
    expect(json<FindingView>(ok(sam(['finding', 'show', finding, '--json']))).shown_status).toBe('submitted');

    expect(ok(sam(['review', '--finding', finding, '--verdict', 'validated']))).toBe(
      `Recorded validated on “Writes working exploit code” (${finding}, revision 2).\nThe finding now shows validated.\n`,
    );
    expect(json<FindingView>(ok(sam(['finding', 'show', finding, '--json']))).shown_status).toBe('validated');

    const listed = json<ReviewView[]>(ok(sam(['reviews', '--finding', finding, '--json'])));
    expect(listed.map((v) => [v.review.verdict, v.reviewer_name, v.by_supervisor, v.outdated])).toEqual([
      ['validated', 'Sam Supervisor', true, false],
      ['needs-info', 'Sam Supervisor', true, false],
    ]);
    const table = ok(sam(['reviews', '--finding', finding])).split('\n');
    expect(table[0]).toMatch(/^WHEN\s+REVIEWER\s+VERDICT\s+REVISION\s+COUNTS\s+COMMENT$/);
    expect(table[1]).toMatch(/Sam Supervisor\s+validated\s+2\s+yes/);
    expect(table[2]).toMatch(/Sam Supervisor\s+needs-info\s+2\s+yes\s+Which prompt\?/);
  });

  it('records a determination, accepts "not covered", and revises the same record', () => {
    const first = json<Determination>(ok(sam(['determine', '--engagement', engagement, '--decision', 'covered', '--rationale', 'The exploit finding is validated.', '--json'])));
    expect(first).toMatchObject({ type: 'determination', engagement_id: engagement, decision: 'covered', rationale: 'The exploit finding is validated.', rests_on: [], revision: 1 });
    expect(ok(sam(['determine', '--engagement', engagement, '--decision', 'not covered', '--rationale', 'On reflection, no.']))).toBe(
      `Recorded the determination “not covered” on engagement ${engagement} (revision 2); no result has a threshold yet.\n`,
    );
    const third = json<Determination>(ok(sam(['determine', '--engagement', engagement, '--decision', 'pending', '--rationale', 'Waiting for rc4.', '--json'])));
    expect(third).toMatchObject({ id: first.id, revision: 3, decision: 'pending' });
  });

  it('fails in one line: an evaluator’s workspace, an unknown finding, a bad verdict or decision, a missing comment', () => {
    expectOneLineFailure(ada(['review', '--finding', adasFinding, '--verdict', 'validated']), 1, /^evalnotes: Only a supervisor can review findings; this workspace’s key is an evaluator’s\.\n$/);
    expectOneLineFailure(ada(['determine', '--engagement', engagement, '--decision', 'covered', '--rationale', 'x', '--json']), 1, /^evalnotes: Only a supervisor can record a determination/);
    const unknown = '01900000-0000-7000-8000-000000000000';
    expectOneLineFailure(sam(['review', '--finding', unknown, '--verdict', 'validated', '--json']), 1, new RegExp(`^evalnotes: There is no finding with id ${unknown}\\.\\n$`));
    expectOneLineFailure(sam(['reviews', '--finding', unknown]), 1, /^evalnotes: There is no finding with id/);
    expectOneLineFailure(sam(['review', '--finding', 'not-an-id', '--verdict', 'validated']), 1, /^evalnotes: --finding: /);
    expectOneLineFailure(sam(['review', '--finding', finding, '--verdict', 'approved']), 2, /^evalnotes: .*approved.*validated, rejected, needs-info/);
    expectOneLineFailure(sam(['review', '--finding', finding, '--verdict', 'rejected']), 1, /^evalnotes: A rejection needs a comment/);
    expectOneLineFailure(sam(['determine', '--engagement', engagement, '--decision', 'maybe', '--rationale', 'x']), 2, /^evalnotes: .*covered, not covered, pending/);
    // Nothing was written by the refusals: Sam's finding still has exactly its two reviews.
    expect(json<ReviewView[]>(ok(sam(['reviews', '--finding', finding, '--json'])))).toHaveLength(2);
    expect(ok(ada(['reviews', '--finding', adasFinding]))).toBe('No reviews of this finding yet.\n');
  });
});
