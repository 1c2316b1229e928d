import type { ReviewWindow } from '../../../shared/reviewWindow';

/**
 * The review window label. Urgency is never colour alone: urgent windows get a
 * warning sign and, for screen readers, the word "Urgent" or "Overdue".
 * A closed engagement is finished, so its window is no longer urgent.
 */
export function WindowLabel({ window: w, closed }: { window: ReviewWindow; closed: boolean }) {
  const urgent = w.urgent && !closed;
  return (
    <span className={`window ${urgent ? 'window--urgent' : ''}`}>
      {urgent && (
        <>
          <span className="window-icon" aria-hidden="true">
            ⚠
          </span>
          <span className="visually-hidden">{w.phase === 'closed' ? 'Overdue: ' : 'Urgent: '}</span>
        </>
      )}
      {w.label}
    </span>
  );
}
