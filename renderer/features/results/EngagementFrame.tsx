import type { ReactNode, Ref } from 'react';
import type { Engagement } from '../../../shared/domain/engagement';
import { routeHash, type Route } from '../../lib/route';

export type EngagementSection = 'overview' | 'runs' | 'findings' | 'journal' | 'thresholds' | 'determination';

const SECTIONS: { id: EngagementSection; label: string; route: (id: string) => Route }[] = [
  { id: 'overview', label: 'Overview', route: (id) => ({ page: 'engagement', id }) },
  { id: 'runs', label: 'Runs', route: (id) => ({ page: 'runs', id }) },
  { id: 'findings', label: 'Findings', route: (id) => ({ page: 'findings', id }) },
  { id: 'journal', label: 'Journal', route: (id) => ({ page: 'journal', id }) },
  { id: 'thresholds', label: 'Thresholds', route: (id) => ({ page: 'thresholds', id }) },
  { id: 'determination', label: 'Determination', route: (id) => ({ page: 'determination', id }) },
];

/** The engagement's sections as links (they change the address, so they are navigation, not ARIA tabs). */
export function EngagementTabs({ engagementId, current }: { engagementId: string; current: EngagementSection }) {
  return (
    <nav className="section-tabs" aria-label="Engagement sections">
      <ul>
        {SECTIONS.map((s) => (
          <li key={s.id}>
            <a
              href={routeHash(s.route(engagementId))}
              className={`section-tab ${s.id === current ? 'is-current' : ''}`}
              aria-current={s.id === current ? 'page' : undefined}
            >
              {s.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Heading and sections shared by the engagement's Runs, Findings, Journal and Thresholds screens. */
export function EngagementFrame({
  engagement: e,
  section,
  headingRef,
  actions,
  children,
}: {
  engagement: Engagement;
  section: EngagementSection;
  headingRef: Ref<HTMLHeadingElement>;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <article className="page page--wide" aria-labelledby="engagement-title">
      <header className="page-header">
        <div>
          <p className="eyebrow">{e.developer}</p>
          <h1 id="engagement-title" ref={headingRef} tabIndex={-1}>
            {e.model} {e.model_version}
          </h1>
        </div>
        {actions && <div className="button-row">{actions}</div>}
      </header>
      <EngagementTabs engagementId={e.id} current={section} />
      {children}
    </article>
  );
}
