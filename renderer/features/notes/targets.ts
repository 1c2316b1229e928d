/** Where a note (or a search hit) leads: the page of the record it is about. */
import type { NoteTarget } from '../../../shared/domain/note';
import { call } from '../../lib/api';
import type { Route } from '../../lib/route';

export const TARGET_LABEL: Record<NoteTarget['type'], string> = {
  engagement: 'the engagement',
  run: 'a run',
  sample: 'a sample',
  finding: 'a finding',
};

/** The route of a note's target; a sample's page is its run's, so its run is looked up. */
export async function targetRoute(engagementId: string, on: NoteTarget): Promise<Route> {
  switch (on.type) {
    case 'engagement':
      return { page: 'journal', id: on.id };
    case 'run':
      return { page: 'run', id: engagementId, runId: on.id };
    case 'finding':
      return { page: 'finding', id: engagementId, findingId: on.id };
    case 'sample': {
      const sample = await call('sample:get', { id: on.id });
      return { page: 'run', id: engagementId, runId: sample.run_id, sampleId: sample.id };
    }
  }
}
