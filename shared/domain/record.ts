import { z } from 'zod';
import { Timestamp } from '../dates';
import { KeyId, RecordId } from './ids';

/** Every record type, named as in bundle paths (records/<plural>/<id>.json). */
export const RecordType = z.enum([
  'engagement',
  'threshold',
  'run',
  'result',
  'sample',
  'finding',
  'note',
  'attachment',
  'review',
  'determination',
]);
export type RecordType = z.infer<typeof RecordType>;

/** Fields the single write function sets; no caller supplies them. */
export const Envelope = {
  id: RecordId,
  author: KeyId,
  revision: z.number().int().min(1),
  created_at: Timestamp,
  updated_at: Timestamp,
  deleted: z.boolean(),
};
export type EnvelopeFields = 'type' | keyof typeof Envelope;
