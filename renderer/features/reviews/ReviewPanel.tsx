import { useEffect, useId, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { FindingView } from '../../../shared/domain/finding';
import { Verdict, type ReviewView } from '../../../shared/domain/review';
import { errorMessage } from '../../lib/api';
import { formatTimestamp } from '../../lib/format';
import { useFindingsStore } from '../../stores/findingsStore';
import { useReviewsStore } from '../../stores/reviewsStore';
import { useUiStore } from '../../stores/uiStore';
import { useWorkspaceStore } from '../../stores/workspaceStore';
import { commentRequired, currentVerdict, reviewerName, VERDICT_LABEL } from './verdicts';

const VERDICT_HINT: Record<Verdict, string> = {
  validated: 'The finding holds as written.',
  rejected: 'It does not hold; say why in the comment.',
  'needs-info': 'Ask the author for what is missing.',
};

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return <span className={`badge badge--verdict-${verdict}`}>{VERDICT_LABEL[verdict]}</span>;
}

/** The reviews of a finding, loaded once per finding (and again when records change; see followReviews). */
function useReviews(findingId: string) {
  const { list, error, load } = useReviewsStore(useShallow((s) => ({ list: s.reviews[findingId], error: s.reviewErrors[findingId], load: s.loadReviews })));
  useEffect(() => {
    void load(findingId);
  }, [findingId, load]);
  return { list, error };
}

/**
 * Under a finding's title: "changed since review" when its author edited it
 * after a supervisor's verdict, and that verdict (who, when).
 */
export function ReviewBadges({ view }: { view: FindingView }) {
  // The Reviews panel on the same page loads the list; the header only reads it.
  const list = useReviewsStore((s) => s.reviews[view.finding.id]);
  const verdict = list ? currentVerdict(list) : null;
  if (!verdict && !view.changed_since_review) return null;
  return (
    <p className="review-badges" data-testid="review-badges">
      {view.changed_since_review && (
        <span className="badge badge--changed" data-testid="changed-since-review">
          <span aria-hidden="true">✎</span> Changed since review
        </span>
      )}
      {verdict && (
        <span className="muted small" data-testid="current-verdict">
          Verdict: <VerdictBadge verdict={verdict.review.verdict} /> by {reviewerName(verdict)}, {formatTimestamp(verdict.review.created_at)}
          {verdict.outdated && ` (for revision ${verdict.review.finding_revision})`}
        </span>
      )}
    </p>
  );
}

function ReviewItem({ r }: { r: ReviewView }) {
  return (
    <li className={`review-item ${r.by_supervisor ? '' : 'review-item--not-counted'}`} data-testid="review">
      <p className="review-head">
        <VerdictBadge verdict={r.review.verdict} /> <strong>{reviewerName(r)}</strong>{' '}
        <time className="muted" dateTime={r.review.created_at}>
          {formatTimestamp(r.review.created_at)}
        </time>
      </p>
      <p className="review-meta small">
        <span>
          For revision {r.review.finding_revision}
          {r.outdated && <strong className="review-outdated"> (changed since)</strong>}
        </span>
        {' · '}
        {r.by_supervisor ? (
          <span className="review-counts">Counts</span>
        ) : (
          <span className="review-not-counted">
            <span aria-hidden="true">⚠</span> Not a supervisor key: does not count
          </span>
        )}
      </p>
      {r.review.comment ? <p className="prewrap review-comment">{r.review.comment}</p> : <p className="muted small">No comment.</p>}
    </li>
  );
}

/** A supervisor's verdict on the revision on screen. */
function ReviewForm({ view }: { view: FindingView }) {
  const f = view.finding;
  const id = useId();
  const review = useReviewsStore((s) => s.review);
  const reloadFinding = useFindingsStore((s) => s.load);
  const notify = useUiStore((s) => s.notify);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const needsComment = verdict !== null && commentRequired(verdict) && comment.trim() === '';

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (!verdict) return setError('Choose a verdict first.');
    if (needsComment) return setError(`Say why in the comment: the author needs it to act on “${VERDICT_LABEL[verdict]}”.`);
    setBusy(true);
    setError(null);
    try {
      // The revision on screen: if the author changed the finding meanwhile, main refuses rather than judge unread text.
      await review({ finding_id: f.id, verdict, comment: comment.trim(), finding_revision: f.revision });
      await reloadFinding(f.id);
      notify('info', `Verdict recorded: ${VERDICT_LABEL[verdict].toLowerCase()}, for revision ${f.revision}.`);
      setVerdict(null);
      setComment('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="review-form" aria-label="Your verdict" onSubmit={(ev) => void submit(ev)} noValidate>
      <fieldset className="choice-group" disabled={busy}>
        <legend>Your verdict on revision {f.revision}</legend>
        {Verdict.options.map((v) => (
          <label key={v} className="choice">
            <input type="radio" name={`${id}-verdict`} value={v} checked={verdict === v} onChange={() => setVerdict(v)} />
            <span>
              {VERDICT_LABEL[v]}
              <span className="choice-hint">{VERDICT_HINT[v]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-comment`}>
          Comment{' '}
          <span className="field-optional">{verdict === null || commentRequired(verdict) ? '(required to reject or ask for more)' : '(optional)'}</span>
        </label>
        <textarea
          id={`${id}-comment`}
          rows={4}
          value={comment}
          disabled={busy}
          aria-invalid={error !== null && needsComment ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(ev) => setComment(ev.target.value)}
        />
      </div>
      {error && (
        <p id={`${id}-error`} className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Recording…' : 'Record verdict'}
        </button>
      </div>
    </form>
  );
}

/**
 * A finding's reviews: a supervisor records a verdict on the revision on
 * screen; everyone sees who decided what, on which revision, and whether it
 * counts (only a supervisor's key makes a finding validated or rejected).
 */
export function ReviewPanel({ view }: { view: FindingView }) {
  const role = useWorkspaceStore((s) => s.status?.identity?.role);
  const { list, error } = useReviews(view.finding.id);
  return (
    <section className="review-panel" aria-labelledby="reviews-title" id="reviews">
      <h2 id="reviews-title" className="section-title">
        Reviews
      </h2>
      {role === 'supervisor' ? (
        <ReviewForm view={view} />
      ) : (
        <p className="muted">Only a supervisor records verdicts; they arrive here in the supervisor’s bundles.</p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {list && list.length === 0 && <p className="muted">No reviews yet.</p>}
      {list && list.length > 0 && (
        <ol className="review-list" aria-label="Reviews, newest first">
          {list.map((r) => (
            <ReviewItem key={r.review.id} r={r} />
          ))}
        </ol>
      )}
    </section>
  );
}
