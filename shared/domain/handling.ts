import { z } from 'zod';
import { Name } from './text';

/** Traffic Light Protocol 2.0 labels. */
export const Tlp = z.enum(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']);
export type Tlp = z.infer<typeof Tlp>;

export const Handling = z.strictObject({
  tlp: Tlp,
  /** Free text such as an organisation's classification line. */
  banner: Name(300).optional(),
});
export type Handling = z.infer<typeof Handling>;

export function handlingLine(h: Handling): string {
  return h.banner ? `TLP:${h.tlp} — ${h.banner}` : `TLP:${h.tlp}`;
}
