import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CallArgs, CallName } from '../../../shared/api/contract';
import { Decision, decisionLabel, Verdict, type Determination, type Review, type ReviewView } from '../../../shared/domain/review';
import { AppError } from '../../../shared/result';
import { parseCallInput } from '../../api/dispatch';
import { FindingService } from '../../services/findings';
import { ReviewService } from '../../services/reviews';
import type { Workspace } from '../../workspace/workspace';
import { withWorkspace } from '../context';
import { printJson, printLine, printTable } from '../output';

/** Contract field names become the flags a person typed. */
const FLAGS: Readonly<Record<string, string>> = { finding_id: '--finding', engagement_id: '--engagement' };

/** parseCallInput, with schema messages naming this command's flags. */
function parseFlags<K extends CallName>(name: K, input: unknown): CallArgs<K> {
  try {
    return parseCallInput(name, input);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'INVALID_INPUT') throw error;
    throw new AppError('INVALID_INPUT', error.message.replace(/^([a-z_]+): /, (_m, field: string) => `${FLAGS[field] ?? `--${field.replace(/_/g, '-')}`}: `));
  }
}

/** DESIGN.md writes the decision "not covered"; the record stores not-covered. Both spellings are accepted. */
function decisionFrom(text: string): Decision {
  const parsed = Decision.safeParse(text.trim().replace(/\s+/g, '-'));
  if (!parsed.success) throw new InvalidArgumentError(`Allowed choices are ${Decision.options.map(decisionLabel).join(', ')}.`);
  return parsed.data;
}

function reviewedLines(ws: Workspace, r: Review): string[] {
  const view = new FindingService(ws).get(r.finding_id);
  const now = `The finding now shows ${view.shown_status}.`;
  return [`Recorded ${r.verdict} on “${view.finding.title}” (${r.finding_id}, revision ${r.finding_revision}).`, now];
}

function determinedLine(d: Determination): string {
  const met = d.rests_on.filter((b) => b.met).length;
  const basis = d.rests_on.length === 0 ? 'no result has a threshold yet' : `it rests on ${d.rests_on.length} result${d.rests_on.length === 1 ? '' : 's'} with thresholds, ${met} met`;
  return `Recorded the determination “${decisionLabel(d.decision)}” on engagement ${d.engagement_id} (revision ${d.revision}); ${basis}.`;
}

function reviewRow(v: ReviewView): string[] {
  const who = v.reviewer_name ?? `key ${v.review.author.slice(0, 8)}…`;
  const counts = v.by_supervisor ? (v.outdated ? 'earlier revision' : 'yes') : 'no (not a supervisor key)';
  return [v.review.created_at, who, v.review.verdict, String(v.review.finding_revision), counts, v.review.comment.replace(/\s+/g, ' ').slice(0, 80)];
}

export function registerReviews(program: Command): void {
  program
    .command('review')
    .description('Record a supervisor’s verdict on a finding’s current revision')
    .requiredOption('--finding <id>', 'the finding to review')
    .addOption(new Option('--verdict <verdict>', 'the verdict').choices(Verdict.options).makeOptionMandatory())
    .option('--comment <text>', 'why (required for rejected and needs-info)', '')
    .action(async (o: { finding: string; verdict: string; comment: string }, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const args = parseFlags('review:create', { finding_id: o.finding, verdict: o.verdict, comment: o.comment });
        const review = new ReviewService(ws).create(args);
        if (json) return printJson(review);
        reviewedLines(ws, review).forEach((l) => printLine(l));
      });
    });

  program
    .command('determine')
    .description('Record (or revise) your coverage decision on an engagement')
    .requiredOption('--engagement <id>', 'the engagement decided on')
    .requiredOption('--decision <decision>', 'covered, not covered or pending', decisionFrom)
    .requiredOption('--rationale <text>', 'why')
    .action(async (o: { engagement: string; decision: Decision; rationale: string }, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const args = parseFlags('determination:record', { engagement_id: o.engagement, decision: o.decision, rationale: o.rationale });
        const d = new ReviewService(ws).determine(args);
        if (json) return printJson(d);
        printLine(determinedLine(d));
      });
    });

  program
    .command('reviews')
    .description('List every review of a finding, newest first, and whether each counts here')
    .requiredOption('--finding <id>', 'the finding')
    .action(async (o: { finding: string }, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const { finding_id } = parseFlags('reviews:list', { finding_id: o.finding });
        const views = new ReviewService(ws).list(finding_id);
        if (json) return printJson(views);
        if (views.length === 0) return printLine('No reviews of this finding yet.');
        printTable(['WHEN', 'REVIEWER', 'VERDICT', 'REVISION', 'COUNTS', 'COMMENT'], views.map(reviewRow));
      });
    });
}
