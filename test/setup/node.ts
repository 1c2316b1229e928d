import { vi } from 'vitest';

// Services, the CLI and the serve host run in plain Node, where `electron` is not
// an API (and from Electron 42 on, loading it tries to download the binary).
// Any import of it from code under test is a boundary violation: fail loudly.
vi.mock('electron', () => {
  throw new Error('main-process boundary violated: code under test imported electron');
});
