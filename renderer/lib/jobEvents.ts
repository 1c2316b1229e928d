import type { JobEvents } from './jobs';
import { subscribe } from './api';

/** Job events as main sends them, over IPC or Server-Sent Events. */
export const bridgeJobEvents: JobEvents = {
  onProgress: (listener) => subscribe('job:progress', listener),
  onFinished: (listener) => subscribe('job:finished', listener),
};
