import type { z } from 'zod';
import { Threshold, thresholdKey, type ThresholdInput } from '../../shared/domain/run';
import { AppError } from '../../shared/result';
import { getRecord } from '../records/readRecords';
import { writeRecord } from '../records/writeRecord';
import type { Workspace } from '../workspace/workspace';

/**
 * Thresholds are sensitive and local: per engagement, one per (task, scorer or
 * filter, metric). They leave the machine only when the user explicitly says so.
 */
export class ThresholdService {
  constructor(
    private readonly ws: Workspace,
    private readonly changed: (types: string[]) => void = () => {},
  ) {}

  list(engagementId: string): Threshold[] {
    getRecord(this.ws.db, 'engagement', engagementId);
    const rows = this.ws.db
      .prepare("SELECT body FROM records WHERE parent_id = ? AND type = 'threshold' AND deleted = 0 ORDER BY rowid")
      .all(engagementId) as { body: string }[];
    return rows.map((r) => Threshold.parse(JSON.parse(r.body)));
  }

  create(input: z.output<typeof ThresholdInput>): Threshold {
    const key = thresholdKey(input);
    const clash = this.list(input.engagement_id).find((t) => thresholdKey(t) === key);
    if (clash) {
      throw new AppError('CONFLICT', `There is already a threshold for ${input.task} / ${input.scorer || '(no scorer)'} / ${input.metric} (${clash.comparison} ${clash.value}); edit that one instead.`);
    }
    const t = writeRecord(this.ws.writer(), { action: 'create', type: 'threshold', fields: input });
    this.changed(['threshold']);
    return t;
  }

  update(id: string, changes: { comparison?: Threshold['comparison'] | undefined; value?: number | undefined }, baseRevision?: number): Threshold {
    const t = writeRecord(this.ws.writer(), {
      action: 'update',
      type: 'threshold',
      id,
      fields: { ...(changes.comparison ? { comparison: changes.comparison } : {}), ...(changes.value !== undefined ? { value: changes.value } : {}) },
      ...(baseRevision !== undefined ? { baseRevision } : {}),
    });
    this.changed(['threshold']);
    return t;
  }

  delete(id: string): void {
    writeRecord(this.ws.writer(), { action: 'delete', type: 'threshold', id });
    this.changed(['threshold']);
  }
}
