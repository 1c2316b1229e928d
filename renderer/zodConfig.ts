/**
 * Imported first by main.tsx, before any schema exists. zod compiles object
 * parsers with new Function when it may, and probes for that when the first
 * schema is made; the CSP forbids eval, so the probe would be a CSP violation
 * on every start. Asked not to try, zod never touches eval.
 */
import { z } from 'zod';

z.config({ jitless: true });
