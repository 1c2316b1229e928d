import { z } from 'zod';

/**
 * A file crossing the boundary. The renderer never sees or invents a path: on
 * the desktop main hands out a ref for a path picked in a native dialog; in the
 * browser the serve host streams an upload into its temp area and returns a ref.
 */
export const FileRef = z.strictObject({
  ref: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, { message: 'must be a file ref issued by EvalNotes' }),
  name: z.string().max(255),
  size: z.number().int().min(0).nullable(),
});
export type FileRef = z.infer<typeof FileRef>;

export const FileFilter = z.strictObject({
  name: z.string().max(100),
  extensions: z.array(z.string().regex(/^[A-Za-z0-9]{1,16}$/)).max(20),
});
