import type { Db } from '../open';
import { up as up0010 } from './0010-initial';
import { up as up0020 } from './0020-search-and-result-indexes';
import { up as up0030 } from './0030-search-with-snippets';
import { up as up0040 } from './0040-finding-rows';
import { up as up0050 } from './0050-trust-store';
import { up as up0060 } from './0060-ingest-origins';
import { up as up0070 } from './0070-review-rows';
import { up as up0080 } from './0080-summary-indexes';
import { up as up0090 } from './0090-key-successions';

export type Migration = { version: number; name: string; up: (db: Db) => void };

/**
 * Every schema change, in order. Numbered in steps of 10; a shipped migration is
 * never edited, only followed by a new one.
 */
export const migrations: readonly Migration[] = [
  { version: 10, name: '0010-initial', up: up0010 },
  { version: 20, name: '0020-search-and-result-indexes', up: up0020 },
  { version: 30, name: '0030-search-with-snippets', up: up0030 },
  { version: 40, name: '0040-finding-rows', up: up0040 },
  { version: 50, name: '0050-trust-store', up: up0050 },
  { version: 60, name: '0060-ingest-origins', up: up0060 },
  { version: 70, name: '0070-review-rows', up: up0070 },
  { version: 80, name: '0080-summary-indexes', up: up0080 },
  { version: 90, name: '0090-key-successions', up: up0090 },
];
