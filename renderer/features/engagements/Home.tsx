import { useShallow } from 'zustand/react/shallow';
import { reviewWindow } from '../../../shared/reviewWindow';
import { shortcutLabel } from '../../lib/keys';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { useToday } from '../../lib/useToday';
import { useEngagementsStore } from '../../stores/engagementsStore';
import { useUiStore } from '../../stores/uiStore';

function NewEngagementButton() {
  const navigate = useUiStore((s) => s.navigate);
  return (
    <button type="button" className="button button--primary" onClick={() => navigate({ page: 'new' })}>
      New engagement
    </button>
  );
}

/** No engagements yet: say what one is and offer to create it. */
export function EmptyState() {
  const heading = useFocusHeading<HTMLHeadingElement>('empty');
  return (
    <section className="page empty-state" aria-labelledby="empty-title">
      <h1 id="empty-title" ref={heading} tabIndex={-1}>
        No engagements yet
      </h1>
      <p>
        An engagement is one model under review: who built it, which version you were given, when access started and how many calendar
        days the review window runs. Results, findings and notes all belong to an engagement.
      </p>
      <p className="muted">If your supervisor sends you a bundle with the engagement in it, importing it will list it here too.</p>
      <div className="button-row">
        <NewEngagementButton />
        <span className="muted">
          or press <kbd>{shortcutLabel('N')}</kbd>
        </span>
      </div>
    </section>
  );
}

/** Engagements exist but none is open: a short overview, most pressing first. */
export function Overview() {
  const today = useToday();
  const heading = useFocusHeading<HTMLHeadingElement>('overview');
  const items = useEngagementsStore(useShallow((s) => s.items));
  const open = items.filter((e) => e.status !== 'closed');
  const urgent = open.filter((e) => reviewWindow(e.access_start, e.window_days, today).urgent);
  return (
    <section className="page empty-state" aria-labelledby="overview-title">
      <h1 id="overview-title" ref={heading} tabIndex={-1}>
        Engagements
      </h1>
      <p>
        {open.length} current, {items.length - open.length} closed.{' '}
        {urgent.length > 0
          ? `${urgent.length} ${urgent.length === 1 ? 'needs' : 'need'} attention: 7 days or fewer left, or overdue.`
          : 'None is within 7 days of its deadline.'}
      </p>
      <p className="muted">Choose one from the list (arrow keys move, Enter opens), or create a new one.</p>
      <div className="button-row">
        <NewEngagementButton />
      </div>
    </section>
  );
}
