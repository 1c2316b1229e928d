/**
 * Replacing a workspace folder by another (encrypt / decrypt): the old one is
 * renamed aside, the new one into its place, then the old one is removed. A
 * journal beside the workspace, written first, names both folders, so a crash
 * between the two renames is finished by the next open (finishInterruptedSwap,
 * synchronous because it runs before the workspace opens) instead of leaving
 * no workspace at its path.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/result';
import { fsyncPath, writeFileDurably } from '../files/durable';

const SwapJournal = z.strictObject({ replacement: z.string(), aside: z.string() });

function journalPath(dataDir: string): string {
  return join(dirname(dataDir), `.${basename(dataDir)}.swap.json`);
}

/**
 * Renames the workspace aside and the replacement into its place. The journal,
 * written first, names both, so a crash between the renames is finished by the
 * next open instead of leaving no workspace at its path.
 */
export async function swapFolders(dataDir: string, replacement: string): Promise<void> {
  const aside = join(dirname(dataDir), `.${basename(dataDir)}.replaced-${randomBytes(6).toString('hex')}`);
  const journal = journalPath(dataDir);
  await writeFileDurably(journal, JSON.stringify({ replacement, aside }));
  await fsyncPath(dirname(dataDir));
  await rename(dataDir, aside);
  await rename(replacement, dataDir);
  await fsyncPath(dirname(dataDir));
  await rm(journal, { force: true });
  // The old form is gone only once the new one is in place. (Deleted files may linger on the disk's free blocks.)
  await rm(aside, { recursive: true, force: true });
}

/** Finishes a swap a crash interrupted (see swapFolders); called before a workspace is opened. */
export function finishInterruptedSwap(dataDirIn: string): void {
  const dataDir = resolve(dataDirIn);
  const journal = journalPath(dataDir);
  if (!existsSync(journal)) return;
  let parsed: z.infer<typeof SwapJournal>;
  try {
    parsed = SwapJournal.parse(JSON.parse(readFileSync(journal, 'utf8')));
  } catch {
    throw new AppError('WORKSPACE_DAMAGED', `${journal} (left by an interrupted encrypt or decrypt) is damaged; check the folders beside ${dataDir} by hand.`);
  }
  const { replacement, aside } = parsed;
  // Only folders beside the workspace, named as swapFolders names them, are ever touched.
  const ours = (path: string) => dirname(path) === dirname(dataDir) && basename(path).startsWith(`.${basename(dataDir)}.`);
  if (!ours(replacement) || !ours(aside)) throw new AppError('WORKSPACE_DAMAGED', `${journal} names folders that are not beside ${dataDir}; remove it by hand.`);
  if (!existsSync(dataDir) && existsSync(replacement)) renameSync(replacement, dataDir);
  else if (existsSync(dataDir) && existsSync(replacement) && !existsSync(aside)) rmSync(replacement, { recursive: true, force: true }); // never started
  if (existsSync(dataDir) && !existsSync(replacement)) {
    rmSync(aside, { recursive: true, force: true });
    rmSync(journal, { force: true });
  }
}

