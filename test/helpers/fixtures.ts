import { join } from 'node:path';

/** The team's real public logs, beside the repo (never copied into it). */
export const SHARED_FIXTURES = join(import.meta.dirname, '../../../shared/fixtures');
export const fixture = (...parts: string[]) => join(SHARED_FIXTURES, ...parts);
