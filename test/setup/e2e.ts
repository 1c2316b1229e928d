import { afterAll } from 'vitest';
import { assertNoForeignRequests, e2eNetwork } from '../e2e/network';

// Registered before the file's own hooks, so it runs after them (hooks unwind as a
// stack): the browser is closed and everything its pages asked for is recorded.
afterAll(() => assertNoForeignRequests(e2eNetwork));
