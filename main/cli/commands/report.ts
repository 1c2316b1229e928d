import { existsSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/result';
import { parseCallInput } from '../../api/dispatch';
import { countPdfPages, findChromium, printWithChromium } from '../../reports/printPdf';
import { ReportService, writeTarget } from '../../services/reports';
import { withWorkspace } from '../context';
import { printJson, printLine } from '../output';
import { version } from '../../../package.json';

type Flags = { engagement: string; out: string; pdf?: boolean; includeThresholds?: boolean };

function checkTarget(flag: string, path: string): void {
  if (!existsSync(dirname(path)) || !statSync(dirname(path)).isDirectory()) throw new AppError('INVALID_INPUT', `${flag} ${path}: its folder does not exist.`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new AppError('INVALID_INPUT', `${flag} ${path}: that is a folder; name a file.`);
}

/** F.html → F.pdf; any other name gets .pdf added. */
function pdfBeside(htmlPath: string): string {
  const ext = extname(htmlPath).toLowerCase();
  return ext === '.html' || ext === '.htm' ? `${htmlPath.slice(0, -ext.length)}.pdf` : `${htmlPath}.pdf`;
}

/**
 * `evalnotes report`: the engagement's print-ready report. HTML always works;
 * PDF is printed by the machine's Chromium (`chromium` on PATH or
 * CHROMIUM_PATH). Nothing is signed, so no passphrase.
 */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Write an engagement’s print-ready report (HTML, and PDF with --pdf), the handling marking on every page')
    .requiredOption('--engagement <id>', 'the engagement to report on')
    .requiredOption('--out <file>', 'where to write it: F.html (add --pdf for F.pdf too), or F.pdf for the PDF alone')
    .option('--pdf', 'also print the report to PDF with Chromium')
    .option('--include-thresholds', 'include the sensitive thresholds, comparisons and whether results meet them')
    .addHelpText('after', '\nPDF needs Chromium: `chromium` on PATH, or CHROMIUM_PATH naming its executable.')
    .action(async (o: Flags, cmd: Command) => {
      await withWorkspace(cmd, async (ws, { json }) => {
        let input;
        try {
          input = parseCallInput('report:save', { engagement_id: o.engagement, format: 'html', include_thresholds: o.includeThresholds === true, to: null });
        } catch (error) {
          if (error instanceof AppError && error.code === 'INVALID_INPUT') throw new AppError('INVALID_INPUT', error.message.replace(/^engagement_id: /, '--engagement: '));
          throw error;
        }
        const out = resolve(o.out);
        const pdfOnly = extname(out).toLowerCase() === '.pdf';
        const htmlPath = pdfOnly ? null : out;
        const pdfPath = pdfOnly ? out : o.pdf ? pdfBeside(out) : null;
        if (htmlPath) checkTarget('--out', htmlPath);
        if (pdfPath) checkTarget(pdfOnly ? '--out' : '--pdf', pdfPath);

        const reports = new ReportService(ws, { appVersion: version });
        const { data, html } = reports.render(input.engagement_id, input.include_thresholds);
        let htmlBytes: number | null = null;
        if (htmlPath) {
          const bytes = new TextEncoder().encode(html);
          await writeTarget(htmlPath, bytes);
          htmlBytes = bytes.byteLength;
        }
        let pdf: { bytes: number; pages: number } | null = null;
        if (pdfPath) {
          const chromium = findChromium();
          if (!chromium) {
            const where = process.env.CHROMIUM_PATH ? `CHROMIUM_PATH (${process.env.CHROMIUM_PATH}) is not an executable` : 'there is no `chromium` on PATH';
            throw new AppError(
              'UNSUPPORTED',
              htmlPath
                ? `--pdf needs Chromium (${where}; install it or set CHROMIUM_PATH); the HTML report was written to ${htmlPath}.`
                : `A PDF needs Chromium (${where}; install it or set CHROMIUM_PATH); nothing was written. Write --out F.html and print it from a browser.`,
            );
          }
          const bytes = await printWithChromium(chromium, html);
          await writeTarget(pdfPath, bytes);
          pdf = { bytes: bytes.byteLength, pages: countPdfPages(bytes) };
        }

        if (json) {
          return printJson({
            engagement_id: data.engagement.id,
            marking: data.marking,
            thresholds_included: data.includeThresholds,
            html: htmlPath ? { file: htmlPath, bytes: htmlBytes } : null,
            pdf: pdfPath && pdf ? { file: pdfPath, ...pdf } : null,
          });
        }
        printLine(`Report on ${data.title} (${data.marking})`);
        if (htmlPath) printLine(`  HTML written to ${htmlPath} (${htmlBytes} bytes)`);
        if (pdfPath && pdf) printLine(`  PDF written to ${pdfPath} (${pdf.pages} page${pdf.pages === 1 ? '' : 's'}, ${pdf.bytes} bytes)`);
        printLine(`  thresholds: ${data.includeThresholds ? 'included' : 'not included'}`);
      });
    });
}
