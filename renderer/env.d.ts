import type { Bridge } from '../shared/api/bridge';

declare global {
  // Declaration merging with the DOM's Window needs an interface.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface Window {
    /** Set by the desktop preload; absent in a browser talking to the serve host. Read only in lib/api.ts. */
    evalnotes?: Bridge;
  }
}

export {};
