import type { CallInput, CallOutput, EventName, EventPayload, RendererCallName } from './contract';
import type { FileRef } from './files';
import type { Result } from '../result';

/**
 * What the renderer talks to. The preload exposes it as `window.evalnotes` over
 * IPC; in the browser an HTTP client implements the same shape. One function per
 * call, one subscription per event; each subscription returns its unsubscribe.
 */
export type Bridge = {
  readonly transport: 'desktop' | 'browser';
  readonly calls: { readonly [K in RendererCallName]: (input: CallInput<K>) => Promise<Result<CallOutput<K>>> };
  readonly events: { readonly [K in EventName]: (listener: (payload: EventPayload<K>) => void) => () => void };
  /** Desktop: a File the person dropped on the window, as a ref (the preload reads its path; the page never does). */
  readonly droppedFile?: (file: File) => Promise<Result<FileRef>>;
};

/** Picking and saving files differ per transport; the renderer asks through this. */
export type FilePicker = {
  open(opts: { title: string; extensions: string[]; multiple: boolean }): Promise<FileRef[]>;
};
