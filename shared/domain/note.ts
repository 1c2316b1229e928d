import { z } from 'zod';
import { RecordId, Sha256Hex } from './ids';
import { Envelope } from './record';
import { Name, Text } from './text';

/** What a note can be written on. */
export const NoteTarget = z.strictObject({ type: z.enum(['engagement', 'run', 'sample', 'finding']), id: RecordId });
export type NoteTarget = z.infer<typeof NoteTarget>;

const noteFields = {
  /** The engagement whose journal lists the note (the target's engagement). */
  engagement_id: RecordId,
  on: NoteTarget,
  /** Markdown. Rendered sanitized: raw HTML never runs. */
  body: Text(200_000),
};
export const Note = z.strictObject({ type: z.literal('note'), ...Envelope, ...noteFields });
export type Note = z.infer<typeof Note>;

export const NoteInput = z.strictObject({ on: NoteTarget, body: noteFields.body });
export type NoteInput = z.input<typeof NoteInput>;

/** Media types shown inline; anything else is offered for download only. */
export const PREVIEWABLE_IMAGE = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

const attachmentFields = {
  engagement_id: RecordId,
  /** The bytes, content-addressed in the blob store (the same bytes are kept once). */
  sha256: Sha256Hex,
  name: Name(255),
  media_type: z.string().max(200).regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/, { message: 'must be a media type such as image/png' }),
  size: z.number().int().min(0),
};
export const Attachment = z.strictObject({ type: z.literal('attachment'), ...Envelope, ...attachmentFields });
export type Attachment = z.infer<typeof Attachment>;
