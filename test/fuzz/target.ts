/**
 * What a fuzz target is, and the checks every target shares: a refusal is one
 * readable line of an expected error class, and every case ends in bounded time.
 * The runner (run.ts) and the seeded CI subset (test/integration/fuzz) run the
 * same targets; only the number of cases and the seed differ.
 */
import fc from 'fast-check';

export type FuzzTarget<T = unknown> = {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** null when the case behaved, else one line saying what went wrong. */
  check(input: T): Promise<string | null>;
};

/** A group of targets sharing a setup (a workspace, a temp folder) torn down by close(). */
export type FuzzSuite = { targets: FuzzTarget[]; close(): Promise<void> };

export const target = <T>(t: FuzzTarget<T>): FuzzTarget => t;

/** A case slower than this is a hang, even if it would end eventually. */
export const CASE_LIMIT_MS = Number(process.env.FUZZ_CASE_MS ?? 10_000);

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown } | { hung: true };

/** Runs `work`, giving up (as a hang) after CASE_LIMIT_MS. */
export async function bounded<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<{ hung: true }>((resolve) => {
    timer = setTimeout(() => resolve({ hung: true }), CASE_LIMIT_MS);
  });
  try {
    return await Promise.race([
      work().then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What is wrong with a message a person would read, or null. */
export function messageProblem(message: unknown): string | null {
  if (typeof message !== 'string' || message.trim() === '') return 'the message is empty';
  if (message.includes('\n')) return `the message spans lines: ${preview(message)}`;
  if (/\bat \S+ \(|node:internal|\.[cm]?[jt]s:\d+/.test(message)) return `the message carries a stack trace: ${preview(message)}`;
  if (message.length > 2000) return `the message is ${message.length} characters long`;
  return null;
}

/** Checks that a thrown error is an expected refusal with a one-line message. */
export function refusalProblem(error: unknown, expected: readonly (new (...args: never[]) => Error)[]): string | null {
  if (!expected.some((cls) => error instanceof cls)) {
    const name = error instanceof Error ? error.name : typeof error;
    return `threw ${name}: ${preview(error instanceof Error ? error.message : String(error))}`;
  }
  return messageProblem((error as Error).message);
}

export function preview(text: string, max = 160): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

/** The same check as a fast-check property: throws the problem so fast-check shrinks and reports it. */
export function propertyOf(t: FuzzTarget): fc.IAsyncProperty<[unknown]> {
  return fc.asyncProperty(t.arbitrary, async (input) => {
    const problem = await t.check(input);
    if (problem) throw new Error(`${t.name}: ${problem}`);
  });
}
