import { randomBytes } from 'node:crypto';

/**
 * JSON.parse that also accepts the bare constants `NaN`, `Infinity` and
 * `-Infinity` that Python's json module (lm-evaluation-harness) and Inspect
 * (`ser_json_inf_nan="constants"`) write. They come back as JS non-finite
 * numbers, never as null or 0: NaN means "unscored" and must survive.
 *
 * Text without any such token goes straight to JSON.parse (no extra pass).
 * Otherwise the tokens outside strings are found by jumping between quotes with
 * indexOf (native speed), replaced by a per-call random sentinel string, and a
 * reviver turns the sentinels back into numbers.
 */
export function parseJsonWithNonFinite(text: string): unknown {
  if (!text.includes('NaN') && !text.includes('Infinity')) return JSON.parse(text) as unknown;
  const tokens = findBareNonFinite(text).filter((t) => !isKey(text, t.end));
  if (tokens.length === 0) return JSON.parse(text) as unknown;

  const sentinel = `\u0000nonfinite:${randomBytes(8).toString('hex')}:`;
  const values: Record<string, number> = {
    [`${sentinel}NaN`]: Number.NaN,
    [`${sentinel}Infinity`]: Number.POSITIVE_INFINITY,
    [`${sentinel}-Infinity`]: Number.NEGATIVE_INFINITY,
  };
  const parts: string[] = [];
  let last = 0;
  for (const t of tokens) {
    parts.push(text.slice(last, t.start), JSON.stringify(`${sentinel}${t.token}`));
    last = t.end;
  }
  parts.push(text.slice(last));
  // Only values are rewritten: a bare constant used as a key stays invalid JSON.
  return JSON.parse(parts.join(''), (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(sentinel) && value in values ? values[value] : value,
  ) as unknown;
}

type BareToken = { start: number; end: number; token: 'NaN' | 'Infinity' | '-Infinity' };

/** Positions of NaN / Infinity / -Infinity that sit outside JSON strings. */
function findBareNonFinite(text: string): BareToken[] {
  const found: BareToken[] = [];
  let pos = 0;
  let nextNaN = text.indexOf('NaN', pos);
  let nextInf = text.indexOf('Infinity', pos);
  while (nextNaN !== -1 || nextInf !== -1) {
    const nextToken = nextNaN === -1 ? nextInf : nextInf === -1 ? nextNaN : Math.min(nextNaN, nextInf);
    const quote = text.indexOf('"', pos);
    if (quote !== -1 && quote < nextToken) {
      pos = endOfString(text, quote) + 1;
      if (pos === 0) break; // unterminated string: let JSON.parse report it
    } else {
      if (nextToken === nextNaN) {
        found.push({ start: nextNaN, end: nextNaN + 3, token: 'NaN' });
        pos = nextNaN + 3;
      } else {
        const negative = nextInf > 0 && text.charCodeAt(nextInf - 1) === 45; /* - */
        found.push({ start: negative ? nextInf - 1 : nextInf, end: nextInf + 8, token: negative ? '-Infinity' : 'Infinity' });
        pos = nextInf + 8;
      }
    }
    if (nextNaN !== -1 && nextNaN < pos) nextNaN = text.indexOf('NaN', pos);
    if (nextInf !== -1 && nextInf < pos) nextInf = text.indexOf('Infinity', pos);
  }
  return found;
}

/** Whether the token ending at `end` is followed by ':' (it stands where a key belongs). */
function isKey(text: string, end: number): boolean {
  const rest = /^\s*(.)/.exec(text.slice(end, end + 64));
  return rest?.[1] === ':';
}

/** Index of the quote closing the string opened at `open`, or -1. */
function endOfString(text: string, open: number): number {
  let i = open + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q === -1) return -1;
    let backslashes = 0;
    for (let j = q - 1; j > open && text.charCodeAt(j) === 92; j--) backslashes++;
    if (backslashes % 2 === 0) return q;
    i = q + 1;
  }
}
