/** Deeper than any harness writes; deep enough to overflow the recursive walks over a value. */
export const MAX_NESTING = 256;

/**
 * Whether objects and arrays nest deeper than `limit` in a parsed log value.
 * Without recursion, so the check itself cannot overflow; only containers are
 * visited (a sample is mostly strings), so it costs little per sample.
 */
export function nestedDeeperThan(root: unknown, limit: number): boolean {
  if (typeof root !== 'object' || root === null) return false;
  const stack: [object, number][] = [[root, 0]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [v, depth] = top;
    if (depth >= limit) return true;
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child as object, depth + 1]);
  }
  return false;
}
