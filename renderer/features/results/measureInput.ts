/**
 * Numbers typed by hand. NaN and ±Infinity are accepted in the spellings
 * people use (NaN, Infinity, inf, ∞), because logs carry them too.
 */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export type Parsed = { ok: true; value: number | undefined } | { ok: false; message: string };

export function parseMeasure(text: string, label: string, opts: { required: boolean; finite?: boolean }): Parsed {
  const t = text.trim().replace(/\u2212/g, '-');
  if (t === '') return opts.required ? { ok: false, message: `${label} is required.` } : { ok: true, value: undefined };
  let value: number | null = null;
  if (NUMBER.test(t)) value = Number(t);
  else if (/^nan$/i.test(t)) value = Number.NaN;
  else if (/^\+?(infinity|inf|∞)$/i.test(t)) value = Number.POSITIVE_INFINITY;
  else if (/^-(infinity|inf|∞)$/i.test(t)) value = Number.NEGATIVE_INFINITY;
  if (value === null) return { ok: false, message: `${label} must be a number such as 0.41${opts.finite ? '' : ', or NaN or ∞'}.` };
  if (opts.finite && !Number.isFinite(value)) return { ok: false, message: `${label} must be a finite number.` };
  return { ok: true, value };
}

export function parseCount(text: string, label: string): Parsed {
  const t = text.trim();
  if (t === '') return { ok: true, value: undefined };
  if (!/^\d+$/.test(t)) return { ok: false, message: `${label} must be a whole number of samples.` };
  return { ok: true, value: Number(t) };
}
