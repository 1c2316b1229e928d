import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CallArgs, CallName } from '../../../shared/api/contract';
import { FindingKind, Severity, ShownStatus, type Cwe, type Finding, type FindingRow, type FindingView } from '../../../shared/domain/finding';
import { AppError } from '../../../shared/result';
import { parseCallInput } from '../../api/dispatch';
import { authorStatusFrom, FindingService } from '../../services/findings';
import { withWorkspace } from '../context';
import { printJson, printLine, printTable } from '../output';

type FieldOptions = {
  engagement?: string;
  title?: string;
  kind?: string;
  severity?: string;
  descriptionFile?: string;
  reproductionFile?: string;
  impactFile?: string;
  remediationFile?: string;
  cvss?: string;
  cvss31?: string;
  atlas?: string[];
  tag?: string[];
  product?: string;
  vendor?: string;
  productVersion?: string;
  cve?: string;
  clear?: string[];
};

const collect = (v: string, acc: string[] = []) => [...acc, v];

const MARKDOWN = ['description', 'reproduction', 'impact', 'remediation'] as const;

/** What `finding edit --clear` empties, and the field it names. */
const CLEARABLE: Readonly<Record<string, { field: string; empty: unknown }>> = {
  cvss: { field: 'cvss_vector', empty: null },
  cvss31: { field: 'cvss31_vector', empty: null },
  cve: { field: 'cve_id', empty: null },
  affected: { field: 'affected', empty: null },
  cwe: { field: 'cwe', empty: [] },
  atlas: { field: 'atlas', empty: [] },
  tags: { field: 'tags', empty: [] },
  ...Object.fromEntries(MARKDOWN.map((m) => [m, { field: m, empty: '' }])),
};

/** Contract field names become the flags a person typed. */
const FLAGS: Readonly<Record<string, string>> = {
  id: 'ID',
  engagement_id: '--engagement',
  cvss_vector: '--cvss',
  cvss31_vector: '--cvss31',
  cve_id: '--cve',
  tags: '--tag',
  cwe: '--cwe',
  'affected.product': '--product',
  'affected.vendor': '--vendor',
  'affected.version': '--product-version',
  ...Object.fromEntries(MARKDOWN.map((m) => [m, `--${m}-file`])),
};

function flagOf(path: string): string {
  const parts = path.split('.');
  if (parts[0] === 'cwe' && parts[2] === 'name') return '--cwe-name';
  return FLAGS[parts.slice(0, 2).join('.')] ?? FLAGS[parts[0] ?? ''] ?? `--${(parts[0] ?? path).replace(/_/g, '-')}`;
}

/** parseCallInput, with schema messages naming this command's flags. */
function parseFlags<K extends CallName>(name: K, input: unknown): CallArgs<K> {
  try {
    return parseCallInput(name, input);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'INVALID_INPUT') throw error;
    throw new AppError('INVALID_INPUT', error.message.replace(/^(?:changes\.)?([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*): /, (_m, path: string) => `${flagOf(path)}: `));
  }
}

function readMarkdown(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a folder' : 'it cannot be read';
    throw new AppError('INVALID_INPUT', `${flag} ${path}: ${why}.`);
  }
}

/**
 * The field flags shared by add and edit. --cwe-name names the --cwe given just
 * before it, so both flags write to one list in the order they were typed.
 */
function fieldOptions(cmd: Command, required: boolean): { command: Command; cwes: () => Cwe[] | undefined } {
  let cwes: Cwe[] | undefined;
  const opt = (flags: string, description: string) => (required ? cmd.requiredOption(flags, description) : cmd.option(flags, description));
  if (required) cmd.requiredOption('--engagement <id>', 'the engagement the finding belongs to');
  opt('--title <text>', 'a one-line title');
  cmd.addOption(new Option('--kind <kind>', 'what was found').choices(FindingKind.options).makeOptionMandatory(required));
  cmd.addOption(new Option('--severity <severity>', 'how bad it is').choices(Severity.options).makeOptionMandatory(required));
  for (const m of MARKDOWN) cmd.option(`--${m}-file <file>`, `Markdown file with the ${m}`);
  cmd
    .option('--cwe <id>', 'a CWE id such as CWE-79 (repeatable)', (id: string) => {
      (cwes ??= []).push({ id });
      return id;
    })
    .option('--cwe-name <name>', 'the name of the --cwe given just before', (name: string) => {
      const last = cwes?.[cwes.length - 1];
      if (!last) throw new InvalidArgumentError('give it after the --cwe it names.');
      if (last.name !== undefined) throw new InvalidArgumentError(`${last.id} already has a name.`);
      last.name = name;
      return name;
    })
    .option('--cvss <vector>', 'a CVSS v4.0 vector, e.g. CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')
    .option('--cvss31 <vector>', 'a CVSS v3.1 vector for CSAF advisories, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')
    .option('--atlas <id>', 'a MITRE ATLAS technique id such as AML.T0051 (repeatable)', collect)
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .option('--product <name>', 'affected product (software vulnerabilities)')
    .option('--vendor <name>', 'vendor of the affected product')
    // Not --version: the root program owns it (it prints the EvalNotes version).
    .option('--product-version <version>', 'affected version of the product')
    .option('--cve <id>', 'CVE id such as CVE-2024-12345');
  return { command: cmd, cwes: () => cwes };
}

/** Maps flags to the contract's field names; only the flags given are set. */
function toFields(o: FieldOptions, cwes: Cwe[] | undefined, base?: Finding): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => value !== undefined && (fields[key] = value);
  set('engagement_id', o.engagement);
  set('title', o.title);
  set('kind', o.kind);
  set('severity', o.severity);
  for (const m of MARKDOWN) {
    const file = o[`${m}File`];
    if (file !== undefined) fields[m] = readMarkdown(`--${m}-file`, file);
  }
  set('cwe', cwes);
  set('cvss_vector', o.cvss);
  set('cvss31_vector', o.cvss31);
  set('atlas', o.atlas);
  set('tags', o.tag);
  set('cve_id', o.cve);
  if (o.product !== undefined || o.vendor !== undefined || o.productVersion !== undefined) {
    if (o.product === undefined && !base?.affected) throw new AppError('INVALID_INPUT', '--vendor and --product-version describe an affected product: give --product too.');
    fields.affected = {
      ...base?.affected,
      ...(o.product !== undefined ? { product: o.product } : {}),
      ...(o.vendor !== undefined ? { vendor: o.vendor } : {}),
      ...(o.productVersion !== undefined ? { version: o.productVersion } : {}),
    };
  }
  return fields;
}

function describe(v: FindingView): string[] {
  const f = v.finding;
  const affected = f.affected ? [f.affected.vendor, f.affected.product, f.affected.version].filter(Boolean).join(' ') : '';
  return [
    f.title,
    `  id:          ${f.id}`,
    `  engagement:  ${f.engagement_id}`,
    `  kind:        ${f.kind}`,
    `  severity:    ${f.severity}`,
    ...(f.cvss ? [`  cvss:        ${f.cvss.score.toFixed(1)} ${f.cvss.rating} (${f.cvss.vector})`] : []),
    ...(f.cvss31 ? [`  cvss 3.1:    ${f.cvss31.score.toFixed(1)} ${f.cvss31.rating} (${f.cvss31.vector})`] : []),
    `  status:      ${v.shown_status}${v.shown_status !== f.status ? ` (author status ${f.status})` : ''}`,
    ...(f.cwe.length ? [`  cwe:         ${f.cwe.map((c) => (c.name ? `${c.id} ${c.name}` : c.id)).join('; ')}`] : []),
    ...(f.atlas.length ? [`  atlas:       ${f.atlas.join(', ')}`] : []),
    ...(affected ? [`  affected:    ${affected}`] : []),
    ...(f.cve_id ? [`  cve:         ${f.cve_id}`] : []),
    ...(f.tags.length ? [`  tags:        ${f.tags.join(', ')}`] : []),
    `  evidence:    ${f.evidence.length}, notes: ${v.notes}`,
    `  revision:    ${f.revision}, updated ${f.updated_at}`,
  ];
}

function printFinding(v: FindingView, withText: boolean): void {
  describe(v).forEach((l) => printLine(l));
  if (!withText) return;
  for (const m of MARKDOWN) {
    if (v.finding[m].trim() === '') continue;
    printLine();
    printLine(`## ${m[0]?.toUpperCase()}${m.slice(1)}`);
    printLine(v.finding[m].trimEnd());
  }
}

export function registerFindings(program: Command): void {
  program
    .command('findings')
    .description('List findings (all engagements, or one)')
    .option('--engagement <id>', 'only this engagement’s findings')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(FindingKind.options))
    .addOption(new Option('--severity <severity>', 'only this severity').choices(Severity.options))
    .addOption(new Option('--status <status>', 'only findings showing this status').choices(ShownStatus.options))
    .option('--tag <tag>', 'only findings with this tag')
    .addOption(new Option('--sort <order>', 'order of the list').choices(['updated', 'severity', 'title', 'status']).default('updated'))
    .action(async (o: { engagement?: string; kind?: string; severity?: string; status?: string; tag?: string; sort: string }, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const filter = { engagement_id: o.engagement, kind: o.kind, severity: o.severity, status: o.status, tag: o.tag, sort: o.sort, descending: o.sort !== 'title' };
        const service = new FindingService(ws);
        const rows: FindingRow[] = [];
        // A script wants every finding: read them a page at a time.
        for (let offset = 0; ; ) {
          const page = service.list(parseFlags('findings:list', { ...filter, offset, limit: 500 }));
          rows.push(...page.rows);
          offset += page.rows.length;
          if (page.rows.length === 0 || offset >= page.total) break;
        }
        if (json) return printJson(rows);
        if (rows.length === 0) return printLine('No findings yet. Add one with `evalnotes finding add`.');
        printTable(
          ['ID', 'SEVERITY', 'CVSS', 'STATUS', 'KIND', 'TITLE'],
          rows.map((r) => [r.id, r.severity, r.cvss_score === null ? '' : r.cvss_score.toFixed(1), r.shown_status, r.kind, r.title]),
        );
      });
    });

  const finding = program.command('finding').description('Add, edit, show or move one finding through its lifecycle');

  const add = fieldOptions(finding.command('add').description('Write a new finding (status draft)'), true);
  add.command.action(async (o: FieldOptions, cmd: Command) => {
    await withWorkspace(cmd, (ws, { json }) => {
      ws.requireIdentity();
      const service = new FindingService(ws);
      const f = service.create(parseFlags('finding:create', toFields(o, add.cwes())));
      if (json) return printJson(f);
      printFinding(service.get(f.id), false);
    });
  });

  const edit = fieldOptions(finding.command('edit').description('Edit a finding you wrote (only the fields given change; list flags replace the list)'), false);
  edit.command
    .argument('<id>', 'finding id')
    .option('--clear <field>', `empty a field: ${Object.keys(CLEARABLE).join(', ')} (repeatable)`, collect)
    .action(async (id: string, o: FieldOptions, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const service = new FindingService(ws);
        const current = service.get(parseFlags('finding:get', { id }).id).finding;
        const changes = toFields(o, edit.cwes(), current);
        for (const name of o.clear ?? []) {
          const c = CLEARABLE[name];
          if (!c) throw new AppError('INVALID_INPUT', `--clear takes one of ${Object.keys(CLEARABLE).join(', ')}, not ${name}.`);
          if (c.field in changes) throw new AppError('INVALID_INPUT', `--clear ${name} and a new value for it cannot both be given.`);
          changes[c.field] = c.empty;
        }
        if (Object.keys(changes).length === 0) throw new AppError('INVALID_INPUT', 'Nothing to change: give at least one field option or --clear.');
        const args = parseFlags('finding:update', { id, base_revision: current.revision, changes });
        const f = service.update(args.id, args.changes, args.base_revision);
        if (json) return printJson(f);
        printFinding(service.get(f.id), false);
      });
    });

  finding
    .command('set-status')
    .description('Move a finding you wrote: draft → submitted | withdrawn, submitted → draft | withdrawn, withdrawn → draft; remediated once validated')
    .argument('<id>', 'finding id')
    .argument('<status>', 'draft, submitted, remediated or withdrawn')
    .action(async (id: string, status: string, _o: unknown, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const args = parseFlags('finding:setStatus', { id, status: authorStatusFrom(status) });
        const f = new FindingService(ws).setStatus(args.id, args.status);
        if (json) return printJson(f);
        printLine(`Finding ${f.id} is now ${f.status} (revision ${f.revision}).`);
      });
    });

  finding
    .command('show')
    .description('Show one finding with its text')
    .argument('<id>', 'finding id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const v = new FindingService(ws).get(parseFlags('finding:get', { id }).id);
        if (json) return printJson(v);
        printFinding(v, true);
      });
    });
}
