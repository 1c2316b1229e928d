/**
 * The engagement report as one self-contained HTML document: inline CSS and
 * SVG, no script, nothing fetched (a strict CSP says so to any browser that
 * opens it), every piece of user text escaped by React's static renderer.
 * Printed (Chromium, A4), the handling marking repeats at the top and bottom of
 * every page: fixed elements repeat on each printed page, and the layout
 * table's header and footer rows (which Chromium also repeats) keep the
 * content clear of them.
 */
import { createElement as h, Fragment, type ReactElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { Severity, ShownStatus } from '../../shared/domain/finding';
import { decisionLabel } from '../../shared/domain/review';
import type { Tlp } from '../../shared/domain/handling';
import { resultsChart, severityChart, MAX_CHART_ROWS, SEVERITY_COLOURS } from './reportCharts';
import type { KeyName, ReportBasis, ReportData, ReportEvidence, ReportFinding, ReportRun, ThresholdMark } from './reportData';
import { markdownBlock } from './reportMarkdown';

export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** The complete document, ready to write to a file or print. */
export function renderReportHtml(data: ReportData): string {
  return `<!DOCTYPE html>\n${renderToStaticMarkup(reportDocument(data))}\n`;
}

/**
 * A banner may run to 300 characters: the marking wraps rather than being cut,
 * and the space kept free for it on every page grows with it.
 */
export function markingBand(marking: string): { height: number; space: number } {
  const lines = Math.max(1, Math.ceil(marking.length / 85));
  const height = lines * 4.6 + 4;
  return { height, space: height + 4 };
}

function reportDocument(d: ReportData): ReactElement {
  const band = markingBand(d.marking);
  const marking = (where: 'top' | 'bottom') =>
    h('div', { className: `marking marking-${where} ${tlpClass(d.engagement.handling.tlp)}`, style: { minHeight: `${band.height}mm` } }, d.marking);
  const space = () => h('tr', null, h('td', { className: 'page-space', style: { height: `${band.space}mm` } }));
  return h(
    'html',
    { lang: 'en' },
    h(
      'head',
      null,
      h('meta', { charSet: 'utf-8' }),
      h('meta', { httpEquiv: 'Content-Security-Policy', content: REPORT_CSP }),
      h('meta', { name: 'referrer', content: 'no-referrer' }),
      h('title', null, `${d.marking} · Report · ${d.title}`),
      // Our own constant stylesheet: nothing a user typed goes in here.
      h('style', { dangerouslySetInnerHTML: { __html: STYLES } }),
    ),
    h(
      'body',
      null,
      marking('top'),
      marking('bottom'),
      h(
        'table',
        { className: 'layout' },
        h('thead', null, space()),
        h('tfoot', null, space()),
        h(
          'tbody',
          null,
          h('tr', null, h('td', null, h('main', null, cover(d), summary(d), results(d), findings(d), appendix(d)))),
        ),
      ),
    ),
  );
}

// #region cover

function cover(d: ReportData): ReactElement {
  const e = d.engagement;
  return h(
    'section',
    { className: 'cover' },
    h('p', { className: 'kicker' }, 'Engagement report'),
    h('h1', null, d.title),
    h('p', { className: `cover-marking ${tlpClass(e.handling.tlp)}` }, d.marking),
    facts([
      ['Developer', e.developer],
      ['Model', e.model],
      ['Model version', e.model_version],
      ...(e.weights_digest ? ([['Weights digest (SHA-256)', h('code', null, e.weights_digest)]] as const) : []),
      ['Access start', e.access_start],
      ['Review window', `${e.window_days} calendar days, deadline ${d.window.deadline}`],
      ['Planned release', e.release_date ?? 'not set'],
      ['Trusted partners', e.partners.length ? e.partners.join(', ') : 'none'],
      ['Engagement status', e.status],
    ]),
    h('h2', { className: 'cover-h2' }, 'Prepared by'),
    facts([
      ['Name', d.author.name],
      ['Organisation', d.author.org],
      ['Role', d.author.role],
      ['Key id', h('code', null, d.author.key_id)],
    ]),
    facts([
      ['Date', d.today],
      ['Generated', timestamp(d.generatedAt)],
      ['Thresholds', d.includeThresholds ? 'included at the author’s request: handle as sensitive' : 'not included in this report'],
      ['Engagement id', h('code', null, e.id)],
      ['Written by', `EvalNotes ${d.appVersion}`],
    ]),
  );
}

// #region summary

function summary(d: ReportData): ReactElement {
  const w = d.window;
  return h(
    'section',
    { className: 'major', id: 'summary' },
    h('h2', null, 'Summary'),
    h('h3', null, 'Review window'),
    facts([
      ['Today', d.today],
      ['Window', h('span', { className: w.urgent ? 'urgent' : undefined }, w.label)],
      ['Deadline', w.deadline],
      ['Planned release', d.engagement.release_date ? `${d.engagement.release_date} (${w.release ?? ''})` : 'not set'],
    ]),
    h('h3', null, 'Determination'),
    determination(d),
    h('h3', null, 'Findings'),
    d.counts.total === 0
      ? h('p', null, 'No findings are recorded for this engagement.')
      : h(
          Fragment,
          null,
          h('p', null, `${d.counts.total} finding${d.counts.total === 1 ? '' : 's'}, by severity and by the status each shows (a supervisor’s verdict, else its author’s status).`),
          severityStatusTable(d),
          h('figure', null, severityChart(d.counts.bySeverity, Severity.options), h('figcaption', null, 'Findings by severity')),
        ),
  );
}

function determination(d: ReportData): ReactElement {
  const det = d.determination;
  if (!det) return h('p', null, 'No supervisor has recorded a determination for this engagement yet.');
  return h(
    Fragment,
    null,
    h('p', { className: `decision decision-${det.decision}` }, `Decision: ${decisionLabel(det.decision)}`),
    facts([
      ['Decided by', h(Fragment, null, det.decidedBy, ' ', h('code', { className: 'key' }, det.decidedByKeyId))],
      ['Recorded', timestamp(det.at)],
    ]),
    h('h4', null, 'Rationale'),
    det.rationale.trim() ? markdownBlock(det.rationale) : h('p', { className: 'muted' }, 'No rationale was written.'),
    h('h4', null, 'Results it rests on'),
    det.restsOn.length === 0 ? h('p', { className: 'muted' }, 'The determination cites no results.') : basisTable(det.restsOn, d.includeThresholds),
  );
}

function basisTable(rows: readonly ReportBasis[], withThresholds: boolean): ReactElement {
  return table(
    ['Run', 'Task', 'Scorer', 'Metric', 'Value', ...(withThresholds ? ['Threshold', 'When decided'] : [])],
    rows.map((b) => [
      b.runLabel ?? '—',
      b.task,
      b.scorer || '—',
      b.metric,
      b.value === null ? '—' : measure(b.value),
      ...(withThresholds ? [thresholdText(b.threshold), metText(b.threshold)] : []),
    ]),
    'basis',
  );
}

function severityStatusTable(d: ReportData): ReactElement {
  const statuses = ShownStatus.options;
  return table(
    ['Severity', ...statuses, 'Total'],
    [
      ...Severity.options.map((s) => [severityBadge(s), ...statuses.map((st) => count(d.counts.bySeverityStatus[s][st])), h('strong', null, String(d.counts.bySeverity[s]))]),
      [h('strong', null, 'Total'), ...statuses.map((st) => h('strong', null, String(d.counts.byStatus[st]))), h('strong', null, String(d.counts.total))],
    ],
    'counts',
  );
}

// #region results

function results(d: ReportData): ReactElement {
  return h(
    'section',
    { className: 'major', id: 'results' },
    h('h2', null, 'Results'),
    d.includeThresholds ? null : h('p', { className: 'muted' }, 'Thresholds are not included in this report: results are shown without comparisons.'),
    d.runs.length === 0 ? h('p', null, 'No runs are recorded for this engagement.') : d.runs.map((r) => runBlock(r, d.includeThresholds)),
  );
}

function runBlock(r: ReportRun, withThresholds: boolean): ReactElement {
  const run = r.run;
  const label = `${run.task} · ${run.model}`;
  const meta = [
    `source: ${run.source}`,
    run.dataset ? `dataset: ${run.dataset}` : null,
    run.harness_version ? `harness: ${run.harness_version}` : null,
    `status: ${run.status}`,
    run.completed_at ? `completed: ${timestamp(run.completed_at)}` : null,
    run.sample_count !== undefined ? `${run.sample_count} samples` : null,
  ].filter((x): x is string => x !== null);
  return h(
    'div',
    { className: 'run', key: run.id },
    h('h3', null, label),
    h('p', { className: 'meta' }, meta.join(' · ')),
    run.sources.length
      ? h('p', { className: 'meta' }, 'Source files: ', run.sources.map((s, i) => h(Fragment, { key: s.sha256 + String(i) }, i ? '; ' : '', s.name, ' ', h('code', null, s.sha256))))
      : null,
    r.results.length === 0
      ? h('p', { className: 'muted' }, 'This run has no results.')
      : h(
          Fragment,
          null,
          table(
            ['Task', 'Scorer', 'Metric', 'Value ± stderr', 'n', ...(withThresholds ? ['Threshold', 'Meets it'] : [])],
            r.results.map(({ result, threshold }) => [
              result.task,
              result.scorer || '—',
              result.metric,
              h('span', { className: 'num' }, valueWithError(result.value, result.stderr)),
              result.n !== undefined ? String(result.n) : '—',
              ...(withThresholds ? [thresholdText(threshold), metText(threshold)] : []),
            ]),
            'results',
          ),
          h(
            'figure',
            null,
            resultsChart(
              r.results.map(({ result, threshold }) => ({
                label: [result.task === run.task ? null : result.task, result.scorer || null, result.metric].filter(Boolean).join(' · '),
                value: result.value,
                stderr: result.stderr ?? null,
                threshold: withThresholds ? threshold : null,
              })),
              `Results of ${label}`,
            ),
            h(
              'figcaption',
              null,
              `Results of ${label}: value with ± stderr`,
              withThresholds ? '; dashed red line: threshold' : '',
              r.results.length > MAX_CHART_ROWS ? ` (first ${MAX_CHART_ROWS} of ${r.results.length}; the table lists all)` : '',
            ),
          ),
        ),
  );
}

// #region findings

function findings(d: ReportData): ReactElement {
  const names = new Map(d.authors.map((a) => [a.keyId, a]));
  return h(
    'section',
    { className: 'major', id: 'findings' },
    h('h2', null, 'Findings'),
    h('p', { className: 'muted' }, 'Most severe first. Reproduction steps are not printed; they travel only in signed bundles.'),
    d.findings.length === 0
      ? h('p', null, 'No findings are recorded for this engagement.')
      : Severity.options.map((s) => {
          const group = d.findings.filter((f) => f.finding.severity === s);
          if (group.length === 0) return null;
          return h(
            'div',
            { key: s, className: 'severity-group' },
            h('h3', null, severityBadge(s), ` ${capitalise(s)} (${group.length})`),
            group.map((f) => findingBlock(f, names)),
          );
        }),
  );
}

function findingBlock(f: ReportFinding, names: Map<string, KeyName>): ReactElement {
  const x = f.finding;
  const author = names.get(x.author);
  const facts_: [string, ReactNode][] = [
    ['Kind', x.kind],
    ['Status', h(Fragment, null, h('span', { className: `status status-${f.shownStatus}` }, f.shownStatus), f.shownStatus !== x.status ? ` (author’s status: ${x.status})` : '', f.changedSinceReview ? ' · changed since review' : '')],
    ['Author', h(Fragment, null, author?.name ?? 'an unknown key', ' ', h('code', { className: 'key' }, x.author))],
    ['Revision', `${x.revision}, ${timestamp(x.updated_at)}`],
  ];
  if (x.cvss) facts_.push(['CVSS v4.0', h(Fragment, null, `${x.cvss.score.toFixed(1)} ${x.cvss.rating} `, h('code', null, x.cvss.vector))]);
  if (x.cvss31) facts_.push(['CVSS v3.1', h(Fragment, null, `${x.cvss31.score.toFixed(1)} ${x.cvss31.rating} `, h('code', null, x.cvss31.vector))]);
  if (x.cwe.length) facts_.push(['CWE', x.cwe.map((c) => (c.name ? `${c.id} ${c.name}` : c.id)).join('; ')]);
  if (x.atlas.length) facts_.push(['MITRE ATLAS', x.atlas.join(', ')]);
  if (x.affected) facts_.push(['Affected', [x.affected.vendor, x.affected.product, x.affected.version].filter(Boolean).join(' · ')]);
  if (x.cve_id) facts_.push(['CVE', x.cve_id]);
  if (x.tags.length) facts_.push(['Tags', x.tags.join(', ')]);
  const part = (title: string, text: string) => (text.trim() ? h(Fragment, null, h('h5', null, title), markdownBlock(text)) : null);
  return h(
    'article',
    { className: 'finding', key: x.id, style: { borderLeftColor: SEVERITY_COLOURS[x.severity] } },
    h('h4', null, x.title),
    facts(facts_),
    part('Description', x.description),
    part('Impact', x.impact),
    part('Remediation', x.remediation),
    h('h5', null, 'Evidence'),
    f.evidence.length ? h('ul', { className: 'evidence' }, f.evidence.map((e, i) => h('li', { key: i }, evidenceItem(e)))) : h('p', { className: 'muted' }, 'No evidence is cited.'),
    h('h5', null, 'Reviews'),
    f.reviews.length
      ? h(
          'ul',
          { className: 'reviews' },
          f.reviews.map((r, i) =>
            h(
              'li',
              { key: i },
              h('span', { className: `verdict verdict-${r.verdict}` }, r.verdict),
              ` by ${r.reviewer} `,
              h('code', { className: 'key' }, r.reviewerKeyId),
              `, ${timestamp(r.at)}, of revision ${r.findingRevision}`,
              r.outdated ? ' (the finding changed since)' : '',
              r.bySupervisor ? '' : ' — not by a supervisor key trusted here, so it does not count',
              r.comment.trim() ? h('div', { className: 'comment' }, r.comment) : null,
            ),
          ),
        )
      : h('p', { className: 'muted' }, 'Not reviewed yet.'),
  );
}

function evidenceItem(e: ReportEvidence): ReactNode {
  switch (e.kind) {
    case 'attachment':
      return h(Fragment, null, 'Attachment ', h('strong', null, e.name), ' · SHA-256 ', h('code', null, e.sha256));
    case 'run':
      return h(Fragment, null, 'Run ', h('strong', null, e.label), e.sourceSha256 ? h(Fragment, null, ' · source SHA-256 ', h('code', null, e.sourceSha256)) : null);
    case 'sample':
      return h(
        Fragment,
        null,
        'Sample ',
        h('strong', null, e.sampleId),
        ` (epoch ${e.epoch})`,
        e.runLabel ? ` of run ${e.runLabel}` : '',
        ' · source SHA-256 ',
        h('code', null, e.sourceSha256),
        e.excerpt ? h('pre', { className: 'excerpt' }, e.excerpt) : null,
      );
  }
}

// #region appendix

function appendix(d: ReportData): ReactElement {
  return h(
    'section',
    { className: 'major', id: 'appendix' },
    h('h2', null, 'Appendix: where the records came from'),
    h('h3', null, 'Bundles'),
    d.bundles.length === 0
      ? h('p', null, 'Every record in this report was written in this workspace; none arrived in a bundle.')
      : table(
          ['Bundle id', 'Signed by', 'Forwarded in', 'Records', 'Ingested'],
          d.bundles.map((b) => [
            h('code', null, b.bundleId),
            keyCell(b.signer),
            b.via ? h(Fragment, null, h('code', null, b.via.bundleId), h('br'), 'by ', keyCell(b.via.signer)) : '—',
            String(b.records),
            timestamp(b.ingestedAt),
          ]),
          'bundles',
        ),
    h('h3', null, 'Author keys'),
    h('p', { className: 'muted' }, 'Every key that authored a record in this report. A key id is the SHA-256 of the raw Ed25519 public key.'),
    table(
      ['Key id', 'Name', 'Role', 'Records'],
      d.authors.map((a) => [
        h('code', null, a.keyId),
        a.name === null ? 'not in this workspace’s trust store' : `${a.name}${a.own ? ' (this workspace)' : a.trusted ? '' : ' (no longer trusted)'}`,
        a.role ?? '—',
        String(a.records),
      ]),
      'authors',
    ),
  );
}

function keyCell(k: KeyName): ReactNode {
  return h(Fragment, null, k.name ?? 'an unknown key', k.role ? ` (${k.role})` : '', h('br'), h('code', { className: 'key' }, k.keyId));
}

// #region small pieces

function facts(rows: readonly (readonly [string, ReactNode])[]): ReactElement {
  return h(
    'dl',
    { className: 'facts' },
    rows.map(([k, v]) => h(Fragment, { key: k }, h('dt', null, k), h('dd', null, v))),
  );
}

function table(headers: readonly string[], rows: readonly (readonly ReactNode[])[], className: string): ReactElement {
  return h(
    'table',
    { className: `data ${className}` },
    h('thead', null, h('tr', null, headers.map((t) => h('th', { key: t }, t)))),
    h('tbody', null, rows.map((r, i) => h('tr', { key: i }, r.map((c, j) => h('td', { key: j }, c))))),
  );
}

function severityBadge(s: Severity): ReactElement {
  return h('span', { className: 'sev', style: { backgroundColor: SEVERITY_COLOURS[s] } }, s);
}

function count(n: number): ReactNode {
  return n === 0 ? h('span', { className: 'zero' }, '0') : String(n);
}

function tlpClass(tlp: Tlp): string {
  return `tlp-${tlp.toLowerCase().replace('+', '-')}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Up to four significant digits; NaN is Inspect's "unscored". */
export function measure(v: number): string {
  if (Number.isNaN(v)) return 'NaN (unscored)';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  return Number(v.toPrecision(4)).toString();
}

function valueWithError(value: number, stderr: number | undefined): string {
  return stderr === undefined || Number.isNaN(stderr) ? measure(value) : `${measure(value)} ± ${measure(stderr)}`;
}

function thresholdText(t: ThresholdMark | null): string {
  return t ? `${t.comparison} ${t.value}` : '—';
}

function metText(t: ThresholdMark | null): ReactNode {
  if (!t) return '—';
  return h('span', { className: t.met ? 'met' : 'not-met' }, t.met ? 'met' : 'not met');
}

function timestamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

// #region styles

const STYLES = `
@page { size: A4; margin: 8mm 16mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: #1f2933; font: 10pt/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
code, pre { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 8.5pt; overflow-wrap: anywhere; }
.marking { position: fixed; left: 0; right: 0; z-index: 2; padding: 2mm 4mm; line-height: 4.6mm; text-align: center;
  font-weight: 700; font-size: 9pt; letter-spacing: 0.02em; background: #000; overflow-wrap: anywhere; }
.marking-top { top: 0; }
.marking-bottom { bottom: 0; }
.tlp-red { color: #ff2b2b; } .tlp-amber, .tlp-amber-strict { color: #ffc000; } .tlp-green { color: #33ff00; } .tlp-clear { color: #fff; }
table.layout { width: 100%; border-collapse: collapse; }
table.layout > thead > tr > td, table.layout > tfoot > tr > td { padding: 0; }
table.layout > tbody > tr > td { padding: 0; vertical-align: top; }
.major { break-before: page; }
h1 { font-size: 22pt; line-height: 1.2; margin: 6mm 0 4mm; }
h2 { font-size: 15pt; margin: 0 0 3mm; border-bottom: 1.5pt solid #1f2933; padding-bottom: 1mm; }
h3 { font-size: 12pt; margin: 6mm 0 2mm; break-after: avoid; }
h4 { font-size: 11pt; margin: 3mm 0 1.5mm; break-after: avoid; }
h5 { font-size: 9.5pt; margin: 3mm 0 1mm; text-transform: uppercase; letter-spacing: 0.04em; color: #52606d; break-after: avoid; }
p { margin: 0 0 2mm; }
.kicker { margin-top: 20mm; text-transform: uppercase; letter-spacing: 0.12em; color: #52606d; font-weight: 700; }
.cover-marking { display: inline-block; background: #000; padding: 2mm 4mm; font-weight: 700; font-size: 12pt; margin: 0 0 8mm; }
.cover-h2 { margin-top: 8mm; font-size: 12pt; }
.cover dl.facts { margin-bottom: 6mm; }
dl.facts { display: grid; grid-template-columns: 42mm 1fr; gap: 0.8mm 4mm; margin: 0 0 3mm; break-inside: avoid; }
dl.facts dt { color: #52606d; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table.data { width: 100%; border-collapse: collapse; margin: 1mm 0 3mm; font-size: 9pt; }
table.data th { text-align: left; border-bottom: 1pt solid #1f2933; padding: 1mm 1.5mm; }
table.data td { border-bottom: 0.5pt solid #d8dde3; padding: 1mm 1.5mm; vertical-align: top; overflow-wrap: break-word; }
table.data tr { break-inside: avoid; }
table.counts td:not(:first-child), table.counts th:not(:first-child) { text-align: right; }
.zero { color: #9aa5b1; }
.sev { display: inline-block; color: #fff; border-radius: 2pt; padding: 0 1.5mm; font-size: 8.5pt; font-weight: 700; text-transform: uppercase; }
.status, .verdict { font-weight: 700; }
.status-validated, .verdict-validated, .met { color: #166534; font-weight: 700; }
.status-rejected, .verdict-rejected, .not-met { color: #991b1b; font-weight: 700; }
.verdict-needs-info { color: #92400e; }
.decision { font-size: 13pt; font-weight: 700; border: 1.5pt solid #1f2933; display: inline-block; padding: 1mm 3mm; }
.urgent { color: #991b1b; font-weight: 700; }
.muted { color: #52606d; }
.meta { color: #52606d; font-size: 9pt; margin-bottom: 1mm; }
figure { margin: 2mm 0 4mm; break-inside: avoid; }
figcaption { font-size: 8.5pt; color: #52606d; }
svg.chart { max-width: 100%; height: auto; }
.run { margin-bottom: 6mm; }
.run > h3 { margin-top: 4mm; }
article.finding { border-left: 3pt solid #475569; padding: 0 0 1mm 4mm; margin: 0 0 6mm; }
article.finding > h4 { break-after: avoid; }
.md { overflow-wrap: break-word; }
.md h1, .md h2, .md h3, .md h4, .md h5, .md h6 { font-size: 10.5pt; margin: 2.5mm 0 1mm; border: none; padding: 0; text-transform: none; letter-spacing: normal; color: inherit; }
.md pre { background: #f3f5f7; padding: 2mm; white-space: pre-wrap; }
.md table { border-collapse: collapse; } .md td, .md th { border: 0.5pt solid #d8dde3; padding: 0.5mm 1.5mm; }
.md-link-url, .md-image { color: #52606d; }
ul.evidence, ul.reviews { margin: 0 0 2mm; padding-left: 5mm; }
ul.evidence li, ul.reviews li { margin-bottom: 1mm; break-inside: avoid; }
.comment { white-space: pre-wrap; margin: 0.5mm 0 0; color: #323f4b; }
pre.excerpt { white-space: pre-wrap; background: #f3f5f7; padding: 1.5mm; margin: 1mm 0 0; max-height: none; }
code.key { font-size: 7.5pt; color: #52606d; }
@media screen {
  body { background: #e4e7eb; }
  table.layout { max-width: 210mm; margin: 0 auto; background: #fff; }
  table.layout > tbody > tr > td { padding: 0 16mm 10mm; }
  .major { border-top: 2px dashed #9aa5b1; margin-top: 10mm; padding-top: 8mm; }
}
`;
