import type { Db } from '../open';
import { up as up0010 } from './0010-initial';
import { up as up0020 } from './0020-search-and-result-indexes';

export type Migration = { version: number; name: string; up: (db: Db) => void };

/**
 * Every schema change, in order. Numbered in steps of 10; a shipped migration is
 * never edited, only followed by a new one.
 */
export const migrations: readonly Migration[] = [
  { version: 10, name: '0010-initial', up: up0010 },
  { version: 20, name: '0020-search-and-result-indexes', up: up0020 },
];
