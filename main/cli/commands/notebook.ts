import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { FindingKind, Severity, ShownStatus } from '../../../shared/domain/finding';
import { RecordId } from '../../../shared/domain/ids';
import { MARK_END, MARK_START, SearchableType, type SearchResult } from '../../../shared/domain/search';
import { AppError } from '../../../shared/result';
import { parseCallInput } from '../../api/dispatch';
import { FileRefs } from '../../files/fileRefs';
import { AttachmentService } from '../../services/attachments';
import { FindingService } from '../../services/findings';
import { NoteService } from '../../services/notes';
import { SearchService } from '../../services/search';
import type { Workspace } from '../../workspace/workspace';
import { withWorkspace } from '../context';
import { printJson, printLine } from '../output';

/** What kind of record an id names (live records only). */
function recordType(ws: Workspace, id: string): string {
  const type = ws.db.prepare('SELECT type FROM records WHERE id = ? AND deleted = 0').pluck().get(id) as string | undefined;
  if (!type) throw new AppError('NOT_FOUND', `There is no record with id ${id}.`);
  return type;
}

function readText(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a folder' : 'it cannot be read';
    throw new AppError('INVALID_INPUT', `--file ${path}: ${why}.`);
  }
}

/** Contract messages name fields; on the command line they are flags. */
function withFlags<T>(fn: () => T, flags: Record<string, string>): T {
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'INVALID_INPUT') throw error;
    throw new AppError('INVALID_INPUT', error.message.replace(/^([a-z_]+)(?:\.[a-z0-9_.]+)?: /, (m, field: string) => (flags[field] ? `${flags[field]}: ` : m)));
  }
}

/**
 * A hit on one terminal line: the matched words in brackets (bold on a
 * terminal), and nothing from the text that a terminal would obey (escape
 * sequences in a model's output stay inert).
 */
export function hitLine(hit: SearchResult['hits'][number], tty: boolean): string {
  // eslint-disable-next-line no-control-regex
  const inert = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  const [open, close] = tty ? ['\u001b[1m', '\u001b[22m'] : ['[', ']'];
  let snippet = '';
  for (const [i, part] of hit.snippet.split(MARK_START).entries()) {
    if (i === 0) {
      snippet += inert(part);
      continue;
    }
    const end = part.indexOf(MARK_END);
    snippet += end < 0 ? inert(part) : `${open}${inert(part.slice(0, end))}${close}${inert(part.slice(end + 1))}`;
  }
  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
  return `${hit.type.padEnd(7)}  ${hit.id}  ${oneLine(inert(hit.title))}: ${oneLine(snippet)}`;
}

/** An id given on the command line, checked before anything is read. */
function recordId(flag: string, value: string): string {
  const parsed = RecordId.safeParse(value);
  if (!parsed.success) throw new AppError('INVALID_INPUT', `${flag} ${value}: must be a record id (a UUIDv7 such as EvalNotes prints).`);
  return parsed.data;
}

export function registerNotebook(program: Command): void {
  const note = program.command('note').description('Write a Markdown note');
  note
    .command('add')
    .description('Add a Markdown note on an engagement, run, sample or finding')
    .requiredOption('--on <id>', 'the engagement, run, sample or finding the note is on')
    .requiredOption('--file <file>', 'the Markdown file with the note (- reads standard input)')
    .action(async (o: { on: string; file: string }, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        ws.requireIdentity();
        const type = recordType(ws, recordId('--on', o.on));
        if (!['engagement', 'run', 'sample', 'finding'].includes(type)) {
          throw new AppError('INVALID_INPUT', `--on ${o.on} is a ${type}; a note goes on an engagement, a run, a sample or a finding.`);
        }
        const input = withFlags(() => parseCallInput('note:create', { on: { type, id: o.on }, body: readText(o.file) }), { body: '--file', on: '--on' });
        const n = new NoteService(ws).create(input);
        if (json) return printJson(n);
        printLine(`Added note ${n.id} on ${type} ${o.on} (engagement ${n.engagement_id}).`);
      });
    });

  program
    .command('attach')
    .description('Keep a file as evidence: on a finding (cited as its evidence) or an engagement')
    .requiredOption('--to <id>', 'a finding (or an engagement)')
    .argument('<file>', 'the file to keep; the same bytes are stored once')
    .action(async (file: string, o: { to: string }, cmd: Command) => {
      await withWorkspace(cmd, async (ws, { json }) => {
        ws.requireIdentity();
        const to = recordId('--to', o.to);
        const type = recordType(ws, to);
        if (type !== 'finding' && type !== 'engagement') throw new AppError('INVALID_INPUT', `--to ${o.to} is a ${type}; attach to a finding or an engagement.`);
        const findings = new FindingService(ws);
        const engagementId = type === 'finding' ? findings.get(to).finding.engagement_id : to;
        const refs = new FileRefs(tmpdir());
        try {
          const attachment = await new AttachmentService(ws, ws.blobStore(), refs).add(engagementId, refs.register(resolve(file), 'read'));
          const finding = type === 'finding' ? findings.addEvidence(to, { kind: 'attachment', attachment_id: attachment.id }) : null;
          if (json) return printJson({ attachment, finding });
          printLine(`Attached ${attachment.name} (${attachment.media_type}, ${attachment.size} bytes, sha256 ${attachment.sha256}) as ${attachment.id}.`);
          if (finding) printLine(`Cited as evidence on finding ${finding.id} (revision ${finding.revision}).`);
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') throw new AppError('INVALID_INPUT', `${file}: ${code === 'ENOENT' ? 'there is no such file' : 'it cannot be read'}.`);
          throw error;
        } finally {
          refs.dispose();
        }
      });
    });

  program
    .command('search')
    .description('Full-text search over findings, notes and samples, best first')
    .argument('<query...>', 'words to find (the last one may be the start of a word)')
    .option('--engagement <id>', 'only this engagement')
    .option('--type <type>', `only this kind of record: ${SearchableType.options.join(', ')} (repeatable)`, (v: string, acc: string[] = []) => {
      if (!(SearchableType.options as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${SearchableType.options.join(', ')}.`);
      return [...acc, v];
    })
    .addOption(new Option('--kind <kind>', 'findings of this kind').choices(FindingKind.options))
    .addOption(new Option('--severity <severity>', 'findings of this severity').choices(Severity.options))
    .addOption(new Option('--status <status>', 'findings showing this status').choices(ShownStatus.options))
    .option('--tag <tag>', 'findings with this tag')
    .option('--limit <n>', 'how many hits (1-100)', '20')
    .addHelpText('after', '\nWith --json the snippets mark matched words with the characters U+0002 (start) and U+0003 (end).')
    .action(
      async (
        words: string[],
        o: { engagement?: string; type?: string[]; kind?: string; severity?: string; status?: string; tag?: string; limit: string },
        cmd: Command,
      ) => {
        await withWorkspace(cmd, (ws, { json }) => {
          const q = withFlags(
            () =>
              parseCallInput('search:query', {
                text: words.join(' '),
                ...(o.engagement ? { engagement_id: o.engagement } : {}),
                ...(o.type ? { types: o.type } : {}),
                ...(o.kind ? { kind: o.kind } : {}),
                ...(o.severity ? { severity: o.severity } : {}),
                ...(o.status ? { status: o.status } : {}),
                ...(o.tag ? { tag: o.tag } : {}),
                limit: /^\d+$/.test(o.limit) ? Number(o.limit) : o.limit,
              }),
            { text: 'QUERY', engagement_id: '--engagement', types: '--type', limit: '--limit', tag: '--tag' },
          );
          const result = new SearchService(ws).query(q);
          if (json) return printJson(result);
          if (result.hits.length === 0) return printLine('No matches.');
          const tty = process.stdout.isTTY === true;
          for (const hit of result.hits) printLine(hitLine(hit, tty));
          if (result.capped) process.stderr.write('evalnotes: a word in the query is very common: these are the best of its newest matches; add words to narrow it.\n');
        });
      },
    );
}
