import { saveStateText, type SaveState } from './autosave';

/** "Saved", "Saving…" or why not, beside an autosaving editor; announced politely. */
export function SaveStatus({ state, id }: { state: SaveState; id?: string }) {
  return (
    <p id={id} className={`save-state save-state--${state.kind}`} role="status" data-testid="save-state">
      {state.kind === 'error' && <span aria-hidden="true">⚠ </span>}
      {saveStateText(state)}
    </p>
  );
}
