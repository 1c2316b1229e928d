import { z } from 'zod';

// Control characters other than tab/newline have no business in user text and
// can hide content in terminals and reports.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A single-line name: trimmed, non-empty, bounded. */
export const Name = (max = 200) =>
  z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` })
    .refine((s) => !CONTROL.test(s) && !/[\r\n]/.test(s), { message: 'must be one line without control characters' });

/** Free text that may span lines. */
export const Text = (max: number) =>
  z
    .string()
    .max(max, { message: `must be at most ${max} characters` })
    .refine((s) => !CONTROL.test(s), { message: 'must not contain control characters' });
