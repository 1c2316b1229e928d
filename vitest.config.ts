import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** Tests that mock modules or globals (electron, fetch): each needs a fresh module graph. */
const MOCKING = ['test/unit/shell/**/*.test.ts', 'test/unit/preload/**/*.test.ts', 'test/unit/renderer/httpBridge.test.ts'];

export default defineConfig({
  test: {
    // A file per core: the files spend much of their time waiting on the processes
    // they start (the CLI, the serve host, Chromium), so vitest's default of one
    // fewer than the cores leaves a two-core machine half idle.
    maxWorkers: availableParallelism(),
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          exclude: MOCKING,
          environment: 'node',
          setupFiles: ['test/setup/node.ts'],
          testTimeout: 30_000,
          // The files share one module graph per worker: loading the services and
          // their schemas again for each of ~80 files cost more than a minute.
          isolate: false,
        },
      },
      {
        test: {
          name: 'mocking',
          include: MOCKING,
          environment: 'node',
          setupFiles: ['test/setup/node.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/setup/node.ts', 'test/setup/e2e.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
