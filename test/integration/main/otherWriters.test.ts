import { afterEach, expect, it } from 'vitest';
import { EngagementService } from '../../../main/services/engagements';
import { Workspace } from '../../../main/workspace/workspace';
import { TEST_KDF, makeReadyApp, type TestApp } from '../../helpers/app';

let t: TestApp;
afterEach(async () => t.cleanup());

it('tells the views to refresh when another process (the CLI) writes to the workspace', async () => {
  t = await makeReadyApp({ watchIntervalMs: 20 });
  const changes: string[][] = [];
  t.app.events.subscribe((e) => e.name === 'records:changed' && changes.push(e.payload.types));
  const cli = Workspace.open({ dataDir: t.dataDir, kdf: TEST_KDF });
  try {
    new EngagementService(cli).create({ developer: 'Lab', model: 'M', model_version: 'v', access_start: '2026-03-01', window_days: 30, partners: [], handling: { tlp: 'AMBER' }, status: 'active' });
  } finally {
    cli.close();
  }
  await expect.poll(() => changes.length, { timeout: 5000 }).toBeGreaterThan(0);
  const list = await t.app.dispatch('engagements:list', {});
  expect(list).toMatchObject({ ok: true, value: [{ model: 'M' }] });
});

it('keeps the app responsive while another connection holds the write lock, then saves', async () => {
  t = await makeReadyApp();
  const importer = Workspace.open({ dataDir: t.dataDir, kdf: TEST_KDF, integrityCheck: false });
  importer.db.exec('BEGIN IMMEDIATE');
  let saved = false;
  const save = t.app
    .dispatch('engagement:create', { developer: 'Lab', model: 'During import', model_version: 'v', access_start: '2026-03-01' })
    .then((r) => ((saved = r.ok), r));
  // The event loop keeps turning while the save waits.
  let ticks = 0;
  const timer = setInterval(() => (ticks += 1), 10);
  await new Promise((r) => setTimeout(r, 300));
  clearInterval(timer);
  expect(ticks).toBeGreaterThan(10);
  expect(saved).toBe(false);
  importer.db.exec('COMMIT');
  importer.close();
  expect(await save).toMatchObject({ ok: true, value: { model: 'During import' } });
});
