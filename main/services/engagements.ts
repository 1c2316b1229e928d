import type { z } from 'zod';
import type { Engagement, EngagementChanges, EngagementInput } from '../../shared/domain/engagement';
import { getRecord, listRecords } from '../records/readRecords';
import { writeRecord } from '../records/writeRecord';
import type { Workspace } from '../workspace/workspace';


/** Engagements: one model under review, with its window and handling marking. */
export class EngagementService {
  constructor(
    private readonly ws: Workspace,
    private readonly changed: (types: string[]) => void = () => {},
  ) {}

  /** Newest access start first; closed ones last. */
  list(opts: { includeClosed?: boolean } = {}): Engagement[] {
    return listRecords(this.ws.db, 'engagement')
      .filter((e) => opts.includeClosed !== false || e.status !== 'closed')
      .sort(
        (a, b) =>
          Number(a.status === 'closed') - Number(b.status === 'closed') ||
          b.access_start.localeCompare(a.access_start) ||
          a.id.localeCompare(b.id),
      );
  }

  get(id: string): Engagement {
    return getRecord(this.ws.db, 'engagement', id);
  }

  /** Takes input already checked by the contract's schema (defaults applied). */
  create(fields: z.output<typeof EngagementInput>): Engagement {
    const record = writeRecord(this.ws.writer(), { action: 'create', type: 'engagement', fields });
    this.changed(['engagement']);
    return record;
  }

  update(id: string, changes: z.output<typeof EngagementChanges>, baseRevision?: number): Engagement {
    const record = writeRecord(this.ws.writer(), {
      action: 'update',
      type: 'engagement',
      id,
      fields: changes,
      ...(baseRevision !== undefined ? { baseRevision } : {}),
    });
    this.changed(['engagement']);
    return record;
  }

  close(id: string): Engagement {
    return this.update(id, { status: 'closed' });
  }
}
