import { Option, type Command } from 'commander';
import { calendarDateIn } from '../../../shared/dates';
import type { Engagement } from '../../../shared/domain/engagement';
import { handlingLine, Tlp } from '../../../shared/domain/handling';
import { releaseCountdown, reviewWindow } from '../../../shared/reviewWindow';
import { AppError } from '../../../shared/result';
import { parseCallInput } from '../../api/dispatch';
import { EngagementService } from '../../services/engagements';
import { withWorkspace } from '../context';
import { printJson, printLine, printTable } from '../output';

type FieldOptions = {
  developer?: string;
  model?: string;
  modelVersion?: string;
  weightsDigest?: string;
  accessStart?: string;
  windowDays?: string;
  releaseDate?: string;
  partner?: string[];
  tlp?: string;
  banner?: string;
  status?: string;
};

/** Optional fields `engagement edit --clear` can remove. */
const CLEARABLE = ['release-date', 'weights-digest', 'banner', 'partners'] as const;

function fieldOptions(cmd: Command, required: boolean): Command {
  const opt = (flags: string, description: string) => (required ? cmd.requiredOption(flags, description) : cmd.option(flags, description));
  opt('--developer <name>', 'the AI developer (lab)');
  opt('--model <name>', 'the model under review');
  opt('--model-version <id>', 'model version or checkpoint id');
  opt('--access-start <YYYY-MM-DD>', 'the first day of access');
  return cmd
    .option('--window-days <n>', `length of the review window in calendar days${required ? ' (default 30)' : ''}`)
    .option('--release-date <YYYY-MM-DD>', 'planned public release date')
    .option('--weights-digest <sha256>', 'SHA-256 of the weights, if known')
    .option('--partner <name>', 'a trusted partner (repeat for more)', (v: string, acc: string[] = []) => [...acc, v])
    .addOption(new Option('--tlp <label>', 'handling marking (TLP 2.0)').choices(Tlp.options))
    .option('--banner <text>', 'free-text banner, e.g. your organisation’s classification line')
    .addOption(new Option('--status <status>', 'engagement status').choices(['planned', 'active', 'closed']));
}

/** Maps flags to the contract's field names; only the flags given are set. */
function toFields(o: FieldOptions, base?: Engagement): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => value !== undefined && (fields[key] = value);
  set('developer', o.developer);
  set('model', o.model);
  set('model_version', o.modelVersion);
  set('weights_digest', o.weightsDigest);
  set('access_start', o.accessStart);
  set('window_days', o.windowDays === undefined ? undefined : /^\d+$/.test(o.windowDays) ? Number(o.windowDays) : o.windowDays);
  set('release_date', o.releaseDate);
  set('partners', o.partner);
  set('status', o.status);
  if (o.tlp !== undefined || o.banner !== undefined) {
    set('handling', { ...(base?.handling ?? { tlp: 'AMBER' }), ...(o.tlp ? { tlp: o.tlp } : {}), ...(o.banner !== undefined ? { banner: o.banner } : {}) });
  }
  return fields;
}

function today(): string {
  return calendarDateIn(new Date());
}

function describe(e: Engagement): string[] {
  const win = reviewWindow(e.access_start, e.window_days, today());
  return [
    `${e.model} ${e.model_version} (${e.developer})`,
    `  id:        ${e.id}`,
    `  window:    ${win.label}${win.urgent && win.phase === 'open' ? '  ⚠' : ''} (access ${e.access_start}, deadline ${win.deadline})`,
    ...(e.release_date ? [`  release:   ${e.release_date} (${releaseCountdown(e.release_date, today())})`] : []),
    `  handling:  ${handlingLine(e.handling)}`,
    `  status:    ${e.status}`,
    ...(e.partners.length ? [`  partners:  ${e.partners.join(', ')}`] : []),
    ...(e.weights_digest ? [`  weights:   sha256:${e.weights_digest}`] : []),
    `  revision:  ${e.revision}, updated ${e.updated_at}`,
  ];
}

export function registerEngagements(program: Command): void {
  program
    .command('engagements')
    .description('List engagements with their review windows')
    .option('--open', 'leave out closed engagements')
    .action(async (o: { open?: boolean }, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const list = new EngagementService(ws).list({ includeClosed: !o.open });
        if (json) return printJson(list);
        if (list.length === 0) return printLine('No engagements yet. Add one with `evalnotes engagement add`.');
        printTable(
          ['ID', 'MODEL', 'DEVELOPER', 'STATUS', 'WINDOW'],
          list.map((e) => [e.id, `${e.model} ${e.model_version}`, e.developer, e.status, reviewWindow(e.access_start, e.window_days, today()).label]),
        );
      });
    });

  const engagement = program.command('engagement').description('Add, show, edit or close one engagement');

  fieldOptions(engagement.command('add').description('Add an engagement: one model under review'), true).action(async (o: FieldOptions, cmd: Command) => {
    await withWorkspace(cmd, (ws, { json }) => {
      ws.requireIdentity();
      const e = new EngagementService(ws).create(parseCallInput('engagement:create', toFields(o)));
      if (json) return printJson(e);
      describe(e).forEach((l) => printLine(l));
    });
  });

  engagement
    .command('show')
    .description('Show one engagement')
    .argument('<id>', 'engagement id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const e = new EngagementService(ws).get(parseCallInput('engagement:get', { id }).id);
        if (json) return printJson(e);
        describe(e).forEach((l) => printLine(l));
      });
    });

  fieldOptions(engagement.command('edit').description('Edit an engagement you authored (only the fields given change)'), false)
    .argument('<id>', 'engagement id')
    .option('--clear <field>', `remove an optional field: ${CLEARABLE.join(', ')} (repeatable)`, (v: string, acc: string[] = []) => [...acc, v])
    .action(async (id: string, o: FieldOptions & { clear?: string[] }, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const service = new EngagementService(ws);
        const current = service.get(parseCallInput('engagement:get', { id }).id);
        const changes = toFields(o, current);
        for (const field of o.clear ?? []) {
          if (!(CLEARABLE as readonly string[]).includes(field)) throw new AppError('INVALID_INPUT', `--clear takes one of ${CLEARABLE.join(', ')}, not ${field}.`);
          if (field === 'banner') changes.handling = { tlp: current.handling.tlp };
          else if (field === 'partners') changes.partners = [];
          else changes[field.replace('-', '_')] = null;
        }
        if (Object.keys(changes).length === 0) throw new AppError('INVALID_INPUT', 'Nothing to change: give at least one field option or --clear.');
        const args = parseCallInput('engagement:update', { id, base_revision: current.revision, changes });
        const e = service.update(args.id, args.changes, args.base_revision);
        if (json) return printJson(e);
        describe(e).forEach((l) => printLine(l));
      });
    });

  engagement
    .command('close')
    .description('Close an engagement you authored')
    .argument('<id>', 'engagement id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const e = new EngagementService(ws).close(parseCallInput('engagement:close', { id }).id);
        if (json) return printJson(e);
        printLine(`Closed ${e.model} ${e.model_version} (${e.id}).`);
      });
    });
}

/** Field names in error sentences become the flags a CLI user typed. */
export function flagFor(field: string): string {
  const top = field.split('.')[0] ?? field;
  if (top === 'engagement_id') return '--engagement';
  if (field === 'handling.tlp') return '--tlp';
  if (field === 'handling.banner') return '--banner';
  if (top === 'partners') return '--partner';
  return `--${top.replace(/_/g, '-')}`;
}
