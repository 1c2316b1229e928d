import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { z } from 'zod';

/**
 * What the child has seen committed, one fsynced JSON line per operation. A
 * line is written only after the operation returned, so the journal is always
 * a subset of what the database must hold; a line cut off by the kill was never
 * claimed and is dropped.
 */
export const JournalLine = z.strictObject({
  op: z.string(),
  /** [record id, revision] now committed. */
  records: z.array(z.tuple([z.string(), z.number().int().min(1)])),
  /** SHA-256 names of blobs a committed record refers to. */
  blobs: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
});
export type JournalLine = z.infer<typeof JournalLine>;

export class JournalWriter {
  private readonly fd: number;
  constructor(path: string) {
    this.fd = openSync(path, 'a');
  }
  append(line: JournalLine): void {
    writeSync(this.fd, JSON.stringify(line) + '\n');
    fsyncSync(this.fd);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** Drops a trailing partial line (the kill landed mid-write), so the next child appends after a whole line. */
export function repairJournal(path: string): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  if (text === '' || text.endsWith('\n')) return;
  truncateSync(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
}

export function readJournal(path: string): JournalLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JournalLine.parse(JSON.parse(l)));
}
