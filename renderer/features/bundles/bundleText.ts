/**
 * What the bundle screens say, as pure functions: counts in words, the export
 * dialog's rules, and verdicts. Kept apart from the components so they are
 * tested on their own.
 */
import type { BundleManifest, ExportPreview, VerifyReport } from '../../../shared/domain/bundle';
import { plural } from '../../lib/format';

type Counts = BundleManifest['counts'];

/** Record folders in the order people care about, with their words. */
const FOLDERS: [folder: string, one: string, many: string][] = [
  ['engagements', 'engagement', 'engagements'],
  ['findings', 'finding', 'findings'],
  ['notes', 'note', 'notes'],
  ['reviews', 'review', 'reviews'],
  ['determinations', 'determination', 'determinations'],
  ['runs', 'run', 'runs'],
  ['results', 'result', 'results'],
  ['samples', 'sample', 'samples'],
  ['attachments', 'attachment', 'attachments'],
  ['thresholds', 'threshold', 'thresholds'],
];

/** A folder name ("findings") as a column or row label ("Findings"); unknown folders keep their name. */
export function folderLabel(folder: string): string {
  const known = FOLDERS.find(([f]) => f === folder);
  const word = known ? known[2] : folder;
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Folders in display order: the known ones first, in FOLDERS order, then any others by name. */
export function orderFolders(folders: Iterable<string>): string[] {
  const rank = (f: string) => {
    const i = FOLDERS.findIndex(([k]) => k === f);
    return i < 0 ? FOLDERS.length : i;
  };
  return [...folders].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** "1 engagement", "2 findings", … for every non-empty record type, then the evidence files and forwarded bundles. */
export function countLines(counts: Counts): string[] {
  const lines: string[] = [];
  for (const folder of orderFolders(Object.keys(counts.records))) {
    const n = counts.records[folder] ?? 0;
    if (n === 0) continue;
    const known = FOLDERS.find(([f]) => f === folder);
    lines.push(known ? plural(n, known[1], known[2]) : `${n} ${folder}`);
  }
  if (counts.attachments > 0) lines.push(plural(counts.attachments, 'evidence file'));
  if (counts.forwarded > 0) lines.push(plural(counts.forwarded, 'forwarded bundle'));
  return lines;
}

/** Every record the counts hold (not files or forwarded bundles). */
export function recordTotal(counts: Counts): number {
  return Object.values(counts.records).reduce((sum, n) => sum + n, 0);
}

export type ExportChoices = {
  scope: 'all' | 'selected';
  selected: readonly string[];
  confirmCredentials: boolean;
  forwardCount: number;
};

/**
 * Why Export cannot run yet, one sentence; null when it can. The order is the
 * order a person meets them in the dialog.
 */
export function exportBlocker(preview: ExportPreview | null, c: ExportChoices): string | null {
  if (c.scope === 'selected' && c.selected.length === 0) return 'Choose at least one finding to export.';
  if (!preview) return 'Waiting for the preview of what the bundle holds.';
  if (recordTotal(preview.counts) === 0 && c.forwardCount === 0) return 'Nothing of yours is in this selection, so there is nothing to sign.';
  if (preview.credential_warnings.length > 0 && !c.confirmCredentials) {
    return 'Check the credential warnings and tick “I have checked these and export anyway” first.';
  }
  return null;
}

/** The thresholds line of the preview: said either way, so nobody has to infer it from a missing row. */
export function thresholdsLine(preview: Pick<ExportPreview, 'include_thresholds' | 'counts'>): string {
  if (!preview.include_thresholds) return 'Thresholds are not included.';
  const n = preview.counts.records.thresholds ?? 0;
  return `Thresholds are included (${plural(n, 'threshold')}): they leave this machine with the bundle.`;
}

/** The verdict in one line, for the top of a report. */
export function verdictHeadline(report: Pick<VerifyReport, 'valid' | 'signer'>): string {
  if (!report.valid) return 'Not valid: this bundle must not be ingested';
  return report.signer ? `Valid: signed by ${report.signer.name} (${report.signer.role})` : 'Valid';
}

/** The first reason a bundle failed, as a sentence (the verifier gives one; this only guarantees a full stop). */
export function reasonSentence(reason: string | null): string {
  const r = (reason ?? 'The verifier gave no reason.').trim();
  return /[.!?]$/.test(r) ? r : `${r}.`;
}

/** Short form of a bundle id or digest: enough to tell bundles apart in a list. */
export function shortId(sha256: string): string {
  return (sha256.slice(0, 16).match(/.{4}/g) ?? []).join(' ');
}
