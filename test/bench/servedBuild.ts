/**
 * The browser benches drive the built app (out/), not the sources: a build
 * older than the sources measures yesterday's app, or fails to open a
 * workspace the sources' newer migrations wrote. Says so before it misleads.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'out/main/cli.js');

/** Throws when there is no build; returns a note when some source is newer than it, else null. */
export function servedBuildNote(): string | null {
  if (!existsSync(CLI)) throw new Error('out/main/cli.js is missing: run npm run build first');
  const built = statSync(CLI).mtimeMs;
  const newer = ['main', 'shared', 'renderer'].flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(ts|tsx|css|html)$/.test(e.name) && statSync(join(e.parentPath, e.name)).mtimeMs > built)
      .map((e) => join(e.parentPath, e.name).slice(ROOT.length + 1)),
  );
  return newer.length > 0 ? `out/ is older than ${newer.length} source file(s) (e.g. ${newer[0]}): run npm run build for figures of the current app` : null;
}
