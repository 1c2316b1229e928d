import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SearchableType, SearchHit, SearchResult } from '../../../shared/domain/search';
import { call, errorMessage } from '../../lib/api';
import { routeEngagementId, type Route } from '../../lib/route';
import { useEngagementsStore } from '../../stores/engagementsStore';
import { usePaletteStore } from '../../stores/paletteStore';
import { useUiStore } from '../../stores/uiStore';
import { targetRoute } from '../notes/targets';
import { snippetPieces } from './snippet';

const SEARCH_DELAY_MS = 100;

const TYPE_LABEL: Record<SearchableType, string> = { finding: 'Finding', note: 'Note', sample: 'Sample' };
const TYPE_CHIPS: { type: SearchableType; label: string }[] = [
  { type: 'finding', label: 'Findings' },
  { type: 'note', label: 'Notes' },
  { type: 'sample', label: 'Samples' },
];

/** Matched words as <mark>, everything else as text: a snippet is never parsed as HTML. */
export function Snippet({ text }: { text: string }) {
  return (
    <>
      {snippetPieces(text).map((p, i) => (p.marked ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </>
  );
}

/** Where a hit leads: a finding's page, a note's target, a sample in its run. */
async function hitRoute(hit: SearchHit): Promise<Route | null> {
  const engagementId = hit.engagement_id;
  if (!engagementId) return null;
  switch (hit.type) {
    case 'finding':
      return { page: 'finding', id: engagementId, findingId: hit.id };
    case 'sample':
      return hit.parent_id ? { page: 'run', id: engagementId, runId: hit.parent_id, sampleId: hit.id } : null;
    case 'note': {
      if (hit.parent_id === engagementId) return { page: 'journal', id: engagementId };
      const journal = await call('notes:list', { engagement_id: engagementId });
      const note = journal.find((n) => n.id === hit.id);
      return note ? targetRoute(engagementId, note.on) : { page: 'journal', id: engagementId };
    }
  }
}

type Answer = { result: SearchResult | null; error: string | null; busy: boolean };

/**
 * Ctrl/Cmd+K: search findings, notes and samples as you type (debounced, older
 * answers dropped), pick a hit with the arrow keys and Enter, Escape closes.
 * Searches the engagement on screen, or all of them.
 */
export function SearchPalette() {
  const { open, hide } = usePaletteStore(useShallow((s) => ({ open: s.open, hide: s.hide })));
  const { route, navigate, notify } = useUiStore(useShallow((s) => ({ route: s.route, navigate: s.navigate, notify: s.notify })));
  const engagements = useEngagementsStore((s) => s.items);
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const listId = `${id}-hits`;
  const here = routeEngagementId(route);
  const [text, setText] = useState('');
  const [types, setTypes] = useState<SearchableType[]>([]);
  const [everywhere, setEverywhere] = useState(false);
  const [answer, setAnswer] = useState<Answer>({ result: null, error: null, busy: false });
  const [active, setActive] = useState(0);
  const asked = useRef(0);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      input.current?.select();
    }
    if (!open && d.open) d.close();
  }, [open]);

  const scope = everywhere || !here ? undefined : here;
  const typeKey = types.join(',');
  useEffect(() => {
    if (!open) return;
    const words = text.trim();
    const ticket = ++asked.current;
    if (words === '') return;
    const timer = window.setTimeout(() => {
      setAnswer((a) => ({ ...a, busy: true }));
      const chosen = typeKey === '' ? undefined : (typeKey.split(',') as SearchableType[]);
      call('search:query', { text: words, limit: 20, ...(scope ? { engagement_id: scope } : {}), ...(chosen ? { types: chosen } : {}) }).then(
        (result) => {
          // An answer to an older query arriving late is dropped.
          if (ticket !== asked.current) return;
          setAnswer({ result, error: null, busy: false });
          setActive(0);
        },
        (error: unknown) => ticket === asked.current && setAnswer({ result: null, error: errorMessage(error), busy: false }),
      );
    }, SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [open, text, typeKey, scope]);

  const words = text.trim();
  // Cleared box: whatever answer came last is not shown.
  const shown: Answer = words === '' ? { result: null, error: null, busy: false } : answer;
  const hits = shown.result?.hits ?? [];

  async function jump(hit: SearchHit) {
    try {
      const to = await hitRoute(hit);
      if (!to) {
        notify('error', 'This result has no page to open.');
        return;
      }
      hide();
      navigate(to);
    } catch (error) {
      notify('error', errorMessage(error));
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (hits.length === 0) return;
      setActive((a) => (e.key === 'ArrowDown' ? (a + 1) % hits.length : (a - 1 + hits.length) % hits.length));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const hit = hits[active];
      if (hit) void jump(hit);
    } else if (e.key === 'Escape') {
      // A search box would spend the first Escape on clearing itself: the palette closes at once instead.
      e.preventDefault();
      hide();
    }
  }

  function toggleType(t: SearchableType) {
    setTypes((ts) => (ts.includes(t) ? ts.filter((x) => x !== t) : [...ts, t].sort()));
  }

  const engagementName = (engagementId: string | null) => {
    const e = engagements.find((x) => x.id === engagementId);
    return e ? `${e.model} ${e.model_version}` : '';
  };
  let status = '';
  if (words === '') status = 'Type to search findings, notes and samples.';
  else if (shown.error) status = '';
  else if (shown.result) status = hits.length === 0 ? `Nothing matches “${words}”.` : `${hits.length} result${hits.length === 1 ? '' : 's'}`;
  else status = 'Searching…';

  return (
    <dialog
      ref={dialog}
      className="dialog palette"
      aria-label="Search"
      onCancel={(e) => {
        e.preventDefault();
        hide();
      }}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside its box) closes it.
        if (e.target === dialog.current) hide();
      }}
    >
      <div className="palette-body">
        <div className="palette-input-row">
          <label htmlFor={`${id}-input`} className="visually-hidden">
            Search
          </label>
          <span className="palette-icon" aria-hidden="true">
            ⌕
          </span>
          <input
            ref={input}
            id={`${id}-input`}
            type="search"
            role="combobox"
            aria-expanded={hits.length > 0}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={hits[active] ? `${id}-hit-${active}` : undefined}
            aria-describedby={`${id}-status`}
            value={text}
            placeholder="Search findings, notes and samples"
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
          />
        </div>
        <div className="palette-filters" role="group" aria-label="Search filters">
          {TYPE_CHIPS.map((c) => (
            <button key={c.type} type="button" className="filter-chip" aria-pressed={types.includes(c.type)} onClick={() => toggleType(c.type)}>
              {c.label}
            </button>
          ))}
          {here && (
            <button type="button" className="filter-chip" aria-pressed={everywhere} onClick={() => setEverywhere((x) => !x)}>
              All engagements
            </button>
          )}
          <span className="muted small palette-scope">{scope ? `In ${engagementName(scope)}` : 'In every engagement'}</span>
        </div>
        <p id={`${id}-status`} className="muted small palette-status" role="status">
          {status}
        </p>
        {shown.error && (
          <p className="form-error" role="alert">
            {shown.error}
          </p>
        )}
        <ul id={listId} role="listbox" aria-label="Results" className="palette-hits">
          {hits.map((h, i) => (
            <li
              key={`${h.type}:${h.id}`}
              id={`${id}-hit-${i}`}
              role="option"
              aria-selected={i === active}
              className={`palette-hit ${i === active ? 'is-active' : ''}`}
              onMouseMove={() => setActive(i)}
              onClick={() => void jump(h)}
            >
              <span className={`hit-type hit-type--${h.type}`}>{TYPE_LABEL[h.type]}</span>
              <span className="hit-main">
                <span className="hit-title">{h.title}</span>
                <span className="hit-snippet">
                  <Snippet text={h.snippet} />
                </span>
              </span>
              {!scope && <span className="muted small hit-where">{engagementName(h.engagement_id)}</span>}
            </li>
          ))}
        </ul>
        {shown.result?.capped && <p className="callout small">Very many matches: only the first ones were ranked. Add a word to narrow the search.</p>}
        <p className="palette-help muted small">
          <kbd>↑</kbd> <kbd>↓</kbd> to choose, <kbd>Enter</kbd> to open, <kbd>Esc</kbd> to close.
        </p>
      </div>
    </dialog>
  );
}
