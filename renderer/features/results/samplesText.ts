/** How sample fields read in a table cell: one line, no markup, scores as short text. */
import type { SampleLocation } from '../../../shared/domain/run';
import { formatMeasure } from '../../lib/format';

export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A score as logs write it: a letter (C/I), a number (maybe non-finite), a bool, a list or a dict. */
export function scoreValueText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return formatMeasure(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(scoreValueText).join(', ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('value' in o) return scoreValueText(o.value);
    return Object.entries(o)
      .map(([k, x]) => `${k}: ${scoreValueText(x)}`)
      .join(', ');
  }
  return typeof v === 'bigint' ? v.toString() : '—';
}

/** "model_graded_fact: C; f1: 0.5". */
export function scoresText(scores: Record<string, unknown>): string {
  const entries = Object.entries(scores);
  if (entries.length === 0) return '—';
  if (entries.length === 1) return scoreValueText(entries[0]?.[1]);
  return entries.map(([k, v]) => `${k}: ${scoreValueText(v)}`).join('; ');
}

/** Where a sample's bytes sit in its source file, in words. */
export function locationText(loc: SampleLocation): string {
  switch (loc.kind) {
    case 'zip-member':
      return `ZIP member ${loc.member}`;
    case 'bytes':
      return `bytes ${loc.offset.toLocaleString()}–${(loc.offset + loc.length).toLocaleString()} (${loc.length.toLocaleString()} bytes)`;
    case 'jsonl-line':
      return `line ${loc.line.toLocaleString()}, bytes ${loc.offset.toLocaleString()}–${(loc.offset + loc.length).toLocaleString()}`;
  }
}
