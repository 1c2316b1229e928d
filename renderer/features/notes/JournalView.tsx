import type { Engagement } from '../../../shared/domain/engagement';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { EngagementFrame } from '../results/EngagementFrame';
import { NotesPanel } from './NotesPanel';

/** The engagement journal: every note of the engagement in time order, whatever it is on. */
export function JournalView({ engagement: e }: { engagement: Engagement }) {
  const heading = useFocusHeading<HTMLHeadingElement>(`journal-${e.id}`);
  return (
    <EngagementFrame engagement={e} section="journal" headingRef={heading}>
      <NotesPanel engagementId={e.id} target={{ type: 'engagement', id: e.id }} journal title="Journal" />
    </EngagementFrame>
  );
}
