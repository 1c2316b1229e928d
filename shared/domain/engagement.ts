import { z } from 'zod';
import { CalendarDate, dayNumber, isCalendarDate } from '../dates';
import { Handling } from './handling';
import { Sha256Hex } from './ids';
import { Envelope } from './record';
import { Name } from './text';

export const EngagementStatus = z.enum(['planned', 'active', 'closed']);
export type EngagementStatus = z.infer<typeof EngagementStatus>;

export const DEFAULT_WINDOW_DAYS = 30;

/** What a person enters for an engagement: one model under review. */
const engagementFields = {
  developer: Name(),
  model: Name(),
  model_version: Name(),
  weights_digest: Sha256Hex.optional(),
  access_start: CalendarDate,
  window_days: z.number().int().min(1, { message: 'must be at least 1 day' }).max(3650, { message: 'must be at most 3650 days' }),
  release_date: CalendarDate.optional(),
  partners: z.array(Name()).max(100, { message: 'must list at most 100 partners' }),
  handling: Handling,
  status: EngagementStatus,
};

// Runs even when a date failed its own check, so only compare two valid dates.
const releaseAfterStart = (e: { access_start?: string | undefined; release_date?: string | undefined }) =>
  !e.access_start ||
  !e.release_date ||
  !isCalendarDate(e.access_start) ||
  !isCalendarDate(e.release_date) ||
  dayNumber(e.release_date) >= dayNumber(e.access_start);
const releaseMessage = { message: 'must not be before access_start', path: ['release_date'] };

export const EngagementInput = z
  .strictObject({
    ...engagementFields,
    window_days: engagementFields.window_days.default(DEFAULT_WINDOW_DAYS),
    partners: engagementFields.partners.default([]),
    handling: Handling.default({ tlp: 'AMBER' }),
    status: EngagementStatus.default('active'),
  })
  .refine(releaseAfterStart, releaseMessage);
export type EngagementInput = z.input<typeof EngagementInput>;

/** A partial edit. Optional fields are cleared with null. */
export const EngagementChanges = z.strictObject({
  developer: engagementFields.developer.optional(),
  model: engagementFields.model.optional(),
  model_version: engagementFields.model_version.optional(),
  weights_digest: Sha256Hex.nullable().optional(),
  access_start: CalendarDate.optional(),
  window_days: engagementFields.window_days.optional(),
  release_date: CalendarDate.nullable().optional(),
  partners: engagementFields.partners.optional(),
  handling: Handling.optional(),
  status: EngagementStatus.optional(),
});
export type EngagementChanges = z.input<typeof EngagementChanges>;

export const Engagement = z
  .strictObject({ type: z.literal('engagement'), ...Envelope, ...engagementFields })
  .refine(releaseAfterStart, releaseMessage);
export type Engagement = z.infer<typeof Engagement>;
