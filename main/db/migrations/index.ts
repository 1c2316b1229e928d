import type { Db } from '../open';
import { up as up0010 } from './0010-initial';

export type Migration = { version: number; name: string; up: (db: Db) => void };

/**
 * Every schema change, in order. Numbered in steps of 10; a shipped migration is
 * never edited, only followed by a new one.
 */
export const migrations: readonly Migration[] = [{ version: 10, name: '0010-initial', up: up0010 }];
