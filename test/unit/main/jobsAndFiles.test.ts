import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus, type AnyEvent } from '../../../main/app/eventBus';
import { toApiError } from '../../../main/api/dispatch';
import { FileRefs } from '../../../main/files/fileRefs';
import { JobRunner } from '../../../main/jobs/jobRunner';
import { tempDir } from '../../helpers/app';

describe('jobs', () => {
  function runner() {
    const bus = new EventBus();
    const seen: AnyEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    return { jobs: new JobRunner(bus, (e) => toApiError(e)), seen };
  }

  it('reports progress and one finished event with the result', async () => {
    const { jobs, seen } = runner();
    const { job_id } = jobs.start('import', (ctx) => {
      ctx.progress(0, 2, 'reading');
      ctx.progress(2, 2, 'done');
      return Promise.resolve({ runs: 1 });
    });
    const finished = await jobs.wait(job_id);
    expect(finished).toMatchObject({ job_id, kind: 'import', status: 'succeeded', result: { runs: 1 }, error: null });
    expect(seen.filter((e) => e.name === 'job:progress').at(-1)?.payload).toMatchObject({ done: 2, total: 2 });
    expect(seen.filter((e) => e.name === 'job:finished')).toHaveLength(1);
    expect(jobs.list()).toEqual([expect.objectContaining({ job_id, state: 'succeeded' })]);
  });

  it('stops a job on cancel and says it was cancelled', async () => {
    const { jobs } = runner();
    let steps = 0;
    const { job_id } = jobs.start('import', async (ctx) => {
      for (;;) {
        ctx.checkCancelled();
        steps += 1;
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(jobs.cancel(job_id)).toBe(true);
    expect(await jobs.wait(job_id)).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
    const after = steps;
    await new Promise((r) => setTimeout(r, 30));
    expect(steps).toBe(after);
    expect(jobs.cancel(job_id)).toBe(false);
  });

  it('turns a failure into one sentence without a stack', async () => {
    const { jobs } = runner();
    const { job_id } = jobs.start('import', () => Promise.reject(new Error('ENOENT: /secret/path at foo.js:1')));
    const finished = await jobs.wait(job_id);
    expect(finished.status).toBe('failed');
    expect(finished.error?.code).toBe('INTERNAL');
    expect(finished.error?.message).not.toContain('/secret/path');
  });
});

describe('file refs', () => {
  const dirs: { cleanup(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
  function refs() {
    const d = tempDir();
    dirs.push(d);
    return { files: new FileRefs(d.path), root: d.path };
  }

  it('streams an upload into its own temp area and hands out an opaque ref', async () => {
    const { files, root } = refs();
    const ref = await files.receiveUpload('../../etc/passwd', Readable.from([Buffer.from('hello '), Buffer.from('world')]), 1024);
    expect(ref).toMatchObject({ name: 'passwd', size: 11 });
    expect(ref.ref).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const { path } = files.resolve(ref.ref, 'read');
    expect(readFileSync(path, 'utf8')).toBe('hello world');
    // Stored under its own name (importers pair files by name), inside the temp area only.
    expect(path.startsWith(root)).toBe(true);
    expect(path.endsWith('/passwd')).toBe(true);
  });

  it('refuses an upload over the limit and leaves nothing behind', async () => {
    const { files, root } = refs();
    await expect(files.receiveUpload('big.bin', Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const area = readdirSync(root).map((d) => readdirSync(`${root}/${d}`));
    expect(area.flat()).toEqual([]);
  });

  it('refuses unknown refs and the wrong direction', () => {
    const { files } = refs();
    expect(() => files.resolve('A'.repeat(22), 'read')).toThrow(/no longer available/);
    const picked = files.register('/home/ada/report.pdf', 'read');
    expect(picked.name).toBe('report.pdf');
    expect(() => files.resolve(picked.ref, 'write')).toThrow(/for reading, not for saving/);
  });

  it('removes its temp files when disposed', async () => {
    const { files } = refs();
    const ref = await files.receiveUpload('a.txt', Readable.from([Buffer.from('x')]), 10);
    const { path } = files.resolve(ref.ref, 'read');
    files.dispose();
    expect(existsSync(path)).toBe(false);
  });
});
