/**
 * Autosave without lost keystrokes (issue 4: "save within a second of the last
 * edit"). Every change restarts a short timer; when it fires, or when the
 * editor asks to flush (blur, route change, the page going away), the newest
 * text is saved. Saves run one at a time and always send the newest text, so
 * a slow save never reorders edits and a note created by the first save is
 * updated (not created twice) by the next.
 */

export type SaveState =
  | { kind: 'idle' }
  | { kind: 'pending' }
  | { kind: 'saving' }
  | { kind: 'saved' }
  | { kind: 'error'; message: string };

export type Timers = {
  set: (fn: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
};

export type AutosaverOptions<V> = {
  save: (value: V) => Promise<void>;
  /** At most 800 ms, so a save starts well within a second of the last keystroke. */
  delayMs: number;
  onState: (state: SaveState) => void;
  /** The one sentence to show when a save fails. */
  describeError: (error: unknown) => string;
  timers?: Timers;
};

const browserTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export const AUTOSAVE_DELAY_MS = 600;

export class Autosaver<V> {
  private latest: V | undefined;
  private unsaved = false;
  private timer: unknown = null;
  private inFlight: Promise<void> | null = null;
  private readonly timers: Timers;
  private save: (value: V) => Promise<void>;

  constructor(private readonly opts: AutosaverOptions<V>) {
    this.timers = opts.timers ?? browserTimers;
    this.save = opts.save;
  }

  /** Replaces the save function (a component's newest closure); saves already running keep theirs. */
  setSave(save: (value: V) => Promise<void>): void {
    this.save = save;
  }

  /** True while something typed is not yet stored: waiting for the timer, being saved, or refused. */
  get dirty(): boolean {
    return this.unsaved || this.inFlight !== null;
  }

  change(value: V): void {
    this.latest = value;
    this.unsaved = true;
    this.opts.onState({ kind: 'pending' });
    this.stopTimer();
    this.timer = this.timers.set(() => {
      this.timer = null;
      void this.flush();
    }, this.opts.delayMs);
  }

  /** Saves the newest value now (after any save already running); resolves when it is stored or refused. */
  async flush(): Promise<void> {
    this.stopTimer();
    while (this.inFlight) await this.inFlight;
    if (!this.unsaved) return;
    const value = this.latest as V;
    this.unsaved = false;
    this.opts.onState({ kind: 'saving' });
    const run = this.save(value).then(
      () => {
        if (!this.unsaved) this.opts.onState({ kind: 'saved' });
      },
      (error: unknown) => {
        // Kept as unsaved: the next change or flush tries again with the newest text.
        if (!this.unsaved) this.unsaved = true;
        this.opts.onState({ kind: 'error', message: this.opts.describeError(error) });
      },
    );
    this.inFlight = run.finally(() => {
      this.inFlight = null;
    });
    await this.inFlight;
  }

  /** Stops the timer without saving (the editor is gone and has flushed already). */
  dispose(): void {
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }
}

/** How a save state reads next to the editor. */
export function saveStateText(state: SaveState): string {
  switch (state.kind) {
    case 'idle':
      return '';
    case 'pending':
      return 'Unsaved changes…';
    case 'saving':
      return 'Saving…';
    case 'saved':
      return 'Saved';
    case 'error':
      return `Not saved: ${state.message}`;
  }
}
