import { z } from 'zod';
import { NON_FINITE, decodeNumber } from '../numbers';

/**
 * Arbitrary JSON as logs carry it (configs, scores), where numbers may be
 * non-finite: decoded from their string form wherever they sit would be a guess,
 * so free-form JSON keeps numbers as they come and the codec writes NaN as text.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export const JsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.custom<number>((v) => typeof v === 'number'), z.string(), z.array(JsonValue), z.record(z.string(), JsonValue)]),
);
export const JsonObject = z.record(z.string(), JsonValue);

/** A number where NaN/±Infinity are meaningful and arrive as strings over JSON. */
export const Measure = z
  .union([z.custom<number>((v) => typeof v === 'number', { message: 'Expected a number' }), z.enum(NON_FINITE)])
  .transform(decodeNumber);
