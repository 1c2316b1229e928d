import { BACKUP_EXTENSION, backupFileName, type BackupSummary } from '../../shared/domain/backup';
import type { FileRefs } from '../files/fileRefs';
import type { JobContext } from '../jobs/jobRunner';
import type { Workspace } from '../workspace/workspace';
import { backupWorkspace } from './createBackup';

/** The app's side of backups: to a file the person picked (desktop), or a one-time download (browser). */
export class BackupService {
  constructor(
    private readonly ws: Workspace,
    private readonly opts: { appVersion: string; files: FileRefs },
  ) {}

  async create(to: string | null, ctx: Pick<JobContext, 'signal' | 'progress'>): Promise<BackupSummary> {
    const run = (path: string) => backupWorkspace(this.ws, path, { appVersion: this.opts.appVersion, signal: ctx.signal, progress: ctx.progress });
    if (to !== null) return { ...(await run(to)), download_url: null };

    const { files } = this.opts;
    const ref = files.createOutput(`backup${BACKUP_EXTENSION}`);
    try {
      const summary = await run(files.resolve(ref.ref, 'write').path);
      const name = backupFileName(summary.created_at);
      return { ...summary, file: name, download_url: `/files/${files.offerDownload(summary.file, name, summary.bytes).ref}` };
    } catch (error) {
      files.release(ref.ref);
      throw error;
    }
  }
}
