import { AppError } from '../../shared/result';
import { writeFileDurably } from '../files/durable';
import type { FileRefs } from '../files/fileRefs';
import type { Platform } from '../platform/platform';
import { gatherReport, type ReportData } from '../reports/reportData';
import { renderReportHtml } from '../reports/reportHtml';
import { countPdfPages, findChromium, printWithChromium } from '../reports/printPdf';
import type { Workspace } from '../workspace/workspace';

export type ReportRequest = { engagementId: string; format: 'html' | 'pdf'; includeThresholds: boolean };
export type SavedReport = { file_name: string; bytes: number; pages: number | null; download_url: string | null };

/** A rendered report: the document and what it is about (for names and summaries). */
export type RenderedReport = { data: ReportData; html: string };

export type ReportOptions = {
  appVersion: string;
  files?: FileRefs;
  /** The desktop shell prints with its own Chromium (platform.printToPdf). */
  platform?: Pick<Platform, 'printToPdf'>;
  /** Where to find a Chromium when the platform cannot print (CLI, serve host); tests replace it. */
  findChromium?: () => string | null;
};

export const PDF_NEEDS_CHROMIUM = 'PDF needs the desktop app or Chromium on this machine (install it or set CHROMIUM_PATH); save the HTML and print it from the browser.';

/**
 * The engagement report (issue 6): self-contained HTML with the handling
 * marking on every printed page, or PDF. PDF comes from the desktop shell's
 * printToPdf when there is one, else from the machine's Chromium (CLI, and the
 * serve host, which runs on the same machine as the browser); with neither,
 * a PDF request is refused and the HTML is the way to print.
 */
export class ReportService {
  constructor(
    readonly ws: Workspace,
    readonly opts: ReportOptions,
  ) {}

  render(engagementId: string, includeThresholds: boolean): RenderedReport {
    const data = gatherReport(this.ws, { engagementId, includeThresholds, appVersion: this.opts.appVersion });
    return { data, html: renderReportHtml(data) };
  }

  /** PDF bytes for a rendered report, or UNSUPPORTED when nothing here can print. */
  async pdf(html: string): Promise<Uint8Array> {
    const printToPdf = this.opts.platform?.printToPdf;
    if (printToPdf) return printToPdf(html);
    const chromium = (this.opts.findChromium ?? findChromium)();
    if (!chromium) throw new AppError('UNSUPPORTED', PDF_NEEDS_CHROMIUM);
    return printWithChromium(chromium, html);
  }

  /** Writes the report to a path (desktop, CLI): temp beside it, fsync, rename. */
  async writeTo(req: ReportRequest, path: string): Promise<SavedReport> {
    const { data, html } = this.render(req.engagementId, req.includeThresholds);
    const saved = await this.produce(req.format, html);
    await writeTarget(path, saved.bytes);
    return { file_name: reportFileName(data, req.format), bytes: saved.bytes.byteLength, pages: saved.pages, download_url: null };
  }

  /** Browser: the report written into the file area and offered once. */
  async offerDownload(req: ReportRequest): Promise<SavedReport> {
    const files = this.opts.files;
    if (!files) throw new AppError('INTERNAL', 'Browser downloads need the file area.');
    const { data, html } = this.render(req.engagementId, req.includeThresholds);
    const saved = await this.produce(req.format, html);
    const name = reportFileName(data, req.format);
    const output = files.createOutput(name);
    const { path } = files.resolve(output.ref, 'write');
    await writeFileDurably(path, saved.bytes);
    const bytes = saved.bytes.byteLength;
    return { file_name: name, bytes, pages: saved.pages, download_url: `/files/${files.offerDownload(path, name, bytes).ref}` };
  }

  private async produce(format: 'html' | 'pdf', html: string): Promise<{ bytes: Uint8Array; pages: number | null }> {
    if (format === 'html') return { bytes: new TextEncoder().encode(html), pages: null };
    const pdf = await this.pdf(html);
    return { bytes: pdf, pages: Math.max(1, countPdfPages(pdf)) };
  }
}

/** A name that says what the file is: whose model, which version, which day, which marking. */
export function reportFileName(data: Pick<ReportData, 'engagement' | 'today'>, format: 'html' | 'pdf'): string {
  const e = data.engagement;
  const slug = `${e.developer}-${e.model}-${e.model_version}`
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80)
    .toLowerCase();
  const tlp = e.handling.tlp.toLowerCase().replace('+', '-');
  return `report-${slug || 'engagement'}-${data.today}-tlp-${tlp}.${format}`;
}

/** The write, with one sentence for the failures a person can fix by choosing another place. */
export async function writeTarget(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileDurably(path, bytes);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' || code === 'EROFS' || code === 'ENOSPC' || code === 'EISDIR') {
      throw new AppError('FORBIDDEN', `Could not save to ${path} (${code}); choose another place.`);
    }
    throw error;
  }
}
