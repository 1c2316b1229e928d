import type { JobProgress } from '../../../shared/api/jobs';
import { progressFraction } from '../../lib/jobs';

/**
 * A job on its way: a progress bar (indeterminate until the total is known),
 * the percentage and main's words for what it is doing, and Cancel.
 */
export function JobProgressLine({
  label,
  progress,
  waiting,
  cancelling,
  onCancel,
}: {
  /** Names the progress bar, e.g. "Verifying orion.evb". */
  label: string;
  progress: JobProgress | null;
  /** What to say before the job reports anything, e.g. "Sending the bundle to EvalNotes…". */
  waiting: string;
  cancelling: boolean;
  onCancel: () => void;
}) {
  const fraction = progressFraction(progress);
  return (
    <div className="job-line">
      <div className="job-progress">
        <progress aria-label={label} value={fraction ?? undefined} max={fraction === null ? undefined : 1} />
        <span className="job-progress-text">
          {fraction !== null && <strong>{Math.round(fraction * 100)}%</strong>} {cancelling ? 'Cancelling…' : (progress?.message ?? waiting)}
        </span>
      </div>
      <button type="button" className="button button--small" disabled={cancelling} onClick={onCancel}>
        {cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
    </div>
  );
}
