/**
 * The author's lifecycle of a finding as buttons (DESIGN.md, "finding"): which
 * moves the author may make from the status the finding has now. validated and
 * rejected come only from a supervisor's review, so they are never offered;
 * remediated is offered only once a supervisor has validated the finding.
 */
import type { AuthorStatus, ShownStatus } from '../../../shared/domain/finding';

export type StatusAction = {
  to: AuthorStatus;
  label: string;
  /** Why the move is not possible now; null when it is. */
  disabledReason: string | null;
};

const MOVES: Record<AuthorStatus, { to: AuthorStatus; label: string }[]> = {
  draft: [
    { to: 'submitted', label: 'Submit for review' },
    { to: 'withdrawn', label: 'Withdraw' },
  ],
  submitted: [
    { to: 'draft', label: 'Back to draft' },
    { to: 'withdrawn', label: 'Withdraw' },
  ],
  withdrawn: [{ to: 'draft', label: 'Back to draft' }],
  remediated: [],
};

export const REMEDIATED_NEEDS_VALIDATION = 'A finding can be marked remediated only after a supervisor has validated it.';

/** The moves to show, in order; "Mark remediated" is always listed (disabled with its reason unless validated). */
export function statusActions(status: AuthorStatus, shown: ShownStatus): StatusAction[] {
  const moves: StatusAction[] = MOVES[status].map((m) => ({ ...m, disabledReason: null }));
  if (status !== 'remediated') {
    moves.push({ to: 'remediated', label: 'Mark remediated', disabledReason: shown === 'validated' ? null : REMEDIATED_NEEDS_VALIDATION });
  }
  return moves;
}

export const STATUS_LABEL: Record<ShownStatus, string> = {
  draft: 'Draft',
  submitted: 'Submitted',
  validated: 'Validated',
  rejected: 'Rejected',
  remediated: 'Remediated',
  withdrawn: 'Withdrawn',
};
