/**
 * Durability helpers: "written" means on the disk. A file is fsynced before it
 * is renamed into place, and its folder after, so a power cut leaves either
 * the old state or the new one, never a name pointing at half a file.
 */
import { open } from 'node:fs/promises';

/** Flushes a file's (or a folder's) data and metadata to the disk. */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
