/**
 * Supervisors' reviews of findings and determinations on engagements
 * (DESIGN.md "Records"). Both are ordinary records written through the single
 * write path, so they travel in the supervisor's bundles and merge by the
 * ownership rule. Whether one counts is decided when it is read: only a key
 * that is a supervisor's here (this workspace's own key when its role is
 * supervisor, or a key trusted with the supervisor role and not untrusted).
 */
import type { z } from 'zod';
import { Determination, Review, type DeterminationBasis, type DeterminationInput, type DeterminationView, type ReviewInput, type ReviewView } from '../../shared/domain/review';
import { indexThresholds, verdictFor } from '../../shared/domain/run';
import { AppError } from '../../shared/result';
import type { Db } from '../db/open';
import { getRecord } from '../records/readRecords';
import { writeRecord } from '../records/writeRecord';
import type { Workspace } from '../workspace/workspace';
import { RunService } from './runs';
import { ThresholdService } from './thresholds';

type Evidence = DeterminationView['evidence'][number];

/** The queries, exported so tests can check their plans. supervisor_keys is migration 0070's view. */
export const reviewQueries = {
  /** Every live review of a finding, newest first (ties: the higher id, as the shown status breaks them). */
  reviewsOf: `SELECT rec.body AS body, v.author IN (SELECT key_id FROM supervisor_keys) AS by_supervisor
    FROM review_rows AS v JOIN records AS rec ON rec.rowid = v.rowid
    WHERE v.finding_id = ? ORDER BY v.created_at DESC, v.id DESC`,
  /** The engagement's current determination: the newest live one by a supervisor key. */
  currentDetermination: `SELECT body FROM records
    WHERE parent_id = ? AND type = 'determination' AND deleted = 0 AND author IN (SELECT key_id FROM supervisor_keys)
    ORDER BY updated_at DESC, id DESC LIMIT 1`,
  /** This supervisor's own determination on the engagement: one per (engagement, supervisor), under any of its keys (own_keys, migration 0090). */
  ownDetermination:
    "SELECT id FROM records WHERE parent_id = ? AND type = 'determination' AND (author = ? OR author IN (SELECT key_id FROM own_keys)) AND deleted = 0 ORDER BY id LIMIT 1",
  trustedName: 'SELECT name FROM trusted_keys WHERE key_id = ?',
} as const;

/** Supervisors' reviews of findings and determinations on engagements. */
export class ReviewService {
  constructor(
    readonly ws: Workspace,
    readonly changed: (types: string[]) => void = () => {},
  ) {}

  /** Every review of a finding, newest first, with whether it counts here and whether the finding changed since. */
  list(findingId: string): ReviewView[] {
    const { db } = this.ws;
    const finding = getRecord(db, 'finding', findingId);
    const rows = db.prepare(reviewQueries.reviewsOf).all(findingId) as { body: string; by_supervisor: number }[];
    return rows.map((r) => {
      const review = Review.parse(JSON.parse(r.body));
      return { review, reviewer_name: this.nameOf(review.author), by_supervisor: r.by_supervisor === 1, outdated: review.finding_revision < finding.revision };
    });
  }

  /** A supervisor's verdict on the finding as it stands now; each review is a new record, so the history stays. */
  create(input: z.output<typeof ReviewInput>): Review {
    this.requireSupervisor('review findings');
    const { db } = this.ws;
    const comment = input.comment.trim();
    if (comment === '' && input.verdict === 'rejected') {
      throw new AppError('INVALID_INPUT', 'A rejection needs a comment: say why, so the author knows what is wrong.');
    }
    if (comment === '' && input.verdict === 'needs-info') {
      throw new AppError('INVALID_INPUT', 'Asking for more information needs a comment: say what is missing.');
    }
    // One transaction: the finding cannot gain a revision between reading it and reviewing it.
    const review = db
      .transaction(() => {
        const finding = getRecord(db, 'finding', input.finding_id);
        if (input.finding_revision !== undefined && input.finding_revision !== finding.revision) {
          throw new AppError(
            'CONFLICT',
            `The finding has changed since you opened it (revision ${finding.revision} is current); read it again before reviewing.`,
          );
        }
        return writeRecord(this.ws.writer(), {
          action: 'create',
          type: 'review',
          fields: { engagement_id: finding.engagement_id, finding_id: finding.id, finding_revision: finding.revision, verdict: input.verdict, comment },
        });
      })
      .immediate();
    this.changed(['review', 'finding']);
    return review;
  }

  /** The engagement's current decision (by a supervisor key) and every result with a threshold, compared now. */
  determination(engagementId: string): DeterminationView {
    const { db } = this.ws;
    getRecord(db, 'engagement', engagementId);
    const row = db.prepare(reviewQueries.currentDetermination).get(engagementId) as { body: string } | undefined;
    const current = row ? Determination.parse(JSON.parse(row.body)) : null;
    return { current, decided_by: current ? this.nameOf(current.author) : null, evidence: this.evidence(engagementId) };
  }

  /** Records this supervisor's decision on the engagement: the first time a new record, then a new revision of it. */
  determine(input: z.output<typeof DeterminationInput>): Determination {
    const me = this.requireSupervisor('record a determination');
    const { db } = this.ws;
    const determination = db
      .transaction(() => {
        getRecord(db, 'engagement', input.engagement_id);
        // What the decision rests on, as the results and thresholds stand at this moment.
        const rests_on: DeterminationBasis[] = this.evidence(input.engagement_id).map((e) => ({ result_id: e.result_id, threshold_id: e.threshold_id, met: e.met }));
        const fields = { decision: input.decision, rationale: input.rationale.trim(), rests_on };
        const own = db.prepare(reviewQueries.ownDetermination).get(input.engagement_id, me) as { id: string } | undefined;
        return own
          ? writeRecord(this.ws.writer(), { action: 'update', type: 'determination', id: own.id, fields })
          : writeRecord(this.ws.writer(), { action: 'create', type: 'determination', fields: { engagement_id: input.engagement_id, ...fields } });
      })
      .immediate();
    this.changed(['determination']);
    return determination;
  }

  /**
   * Every live result of the engagement whose (task, scorer, metric) has a
   * threshold, compared with it (NaN never meets). Thresholds are matched as the
   * results page and the summary match them: by thresholdKey, the later one
   * (in stored order) winning if two share a key.
   */
  private evidence(engagementId: string): Evidence[] {
    const thresholds = indexThresholds(new ThresholdService(this.ws).list(engagementId));
    if (thresholds.size === 0) return [];
    const out: Evidence[] = [];
    for (const { run, results } of new RunService(this.ws).list(engagementId)) {
      for (const r of results) {
        const v = verdictFor(r, thresholds);
        if (!v) continue;
        out.push({
          result_id: r.id,
          run_id: run.id,
          threshold_id: v.threshold.id,
          task: r.task,
          scorer: r.scorer,
          metric: r.metric,
          value: r.value,
          comparison: v.threshold.comparison,
          threshold: v.threshold.value,
          met: v.meets,
        });
      }
    }
    return out;
  }

  /** Returns this workspace's key id; refuses, in one sentence, a workspace whose own role is evaluator. */
  private requireSupervisor(what: string): string {
    const me = this.ws.requireIdentity();
    if (me.role !== 'supervisor') {
      throw new AppError('INVALID_INPUT', `Only a supervisor can ${what}; this workspace’s key is an evaluator’s.`);
    }
    return me.key_id;
  }

  /** The reviewer's or decider's name: this workspace's own, the trust store's, or null for a key known by neither. */
  private nameOf(keyId: string): string | null {
    const me = this.ws.identity();
    if (me?.key_id === keyId) return me.name;
    return trustedName(this.ws.db, keyId);
  }
}

function trustedName(db: Db, keyId: string): string | null {
  const row = db.prepare(reviewQueries.trustedName).get(keyId) as { name: string } | undefined;
  return row?.name ?? null;
}
