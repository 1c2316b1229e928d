import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { FindingRow, FindingKind as Kind, Severity as Sev } from '../../../shared/domain/finding';
import { findingEditable } from '../../../shared/domain/finding';
import { call, errorMessage } from '../../lib/api';
import { useFindingsStore } from '../../stores/findingsStore';
import { useUiStore } from '../../stores/uiStore';
import { KindSeverityFields } from '../findings/bits';
import { SEVERITY_LABEL } from '../findings/detailsForm';
import { useIsOwnKey } from '../keys/useIsOwnKey';

export type SampleToCite = { id: string; sample_id: string; epoch: number };

const NEW = 'new';
const LIST_LIMIT = 200;
const EXCERPT_MAX = 20_000;

type AddToFindingDialogProps = {
  engagementId: string;
  sample: SampleToCite;
  /** Text the person had selected in the sample, offered as the excerpt. */
  excerpt: string | null;
  onClose: () => void;
};

/**
 * "Add to finding…": cites a sample (and optionally the selected transcript
 * text) as evidence on one of your findings, or on a new one, in one action.
 */
export function AddToFindingDialog({ engagementId, sample, excerpt, onClose }: AddToFindingDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const isOwn = useIsOwnKey();
  const { create, addEvidence } = useFindingsStore(useShallow((s) => ({ create: s.create, addEvidence: s.addEvidence })));
  const { navigate, notify } = useUiStore(useShallow((s) => ({ navigate: s.navigate, notify: s.notify })));
  const [rows, setRows] = useState<FindingRow[] | null>(null);
  const [choice, setChoice] = useState<string>(NEW);
  const [withExcerpt, setWithExcerpt] = useState(excerpt !== null);
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState<Kind>('capability');
  const [severity, setSeverity] = useState<Sev>('medium');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  // Your findings in this engagement, most recently edited first (only the author adds evidence).
  useEffect(() => {
    let live = true;
    call('findings:list', { engagement_id: engagementId, sort: 'updated', descending: true, limit: LIST_LIMIT }).then(
      (page) => {
        if (!live) return;
        const mine = page.rows.filter((r) => isOwn(r.author));
        setRows(mine);
        if (mine[0]) setChoice(mine[0].id);
      },
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [engagementId, isOwn]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    let findingId = choice;
    let findingTitle = rows?.find((r) => r.id === choice)?.title ?? '';
    setBusy(true);
    try {
      if (choice === NEW) {
        const checked = findingEditable.title.safeParse(title);
        if (!checked.success) {
          setError(`Title ${checked.error.issues[0]?.message ?? 'is not valid'}.`);
          setBusy(false);
          return;
        }
        const f = await create({ engagement_id: engagementId, title: checked.data, kind, severity });
        findingId = f.id;
        findingTitle = f.title;
      }
      const cut = withExcerpt && excerpt ? excerpt.slice(0, EXCERPT_MAX) : undefined;
      await addEvidence(findingId, { kind: 'sample', sample_id: sample.id, ...(cut ? { excerpt: cut } : {}) });
      notify('info', `Sample ${sample.sample_id} is now evidence on “${findingTitle}”.`);
      onClose();
      if (choice === NEW) navigate({ page: 'finding', id: engagementId, findingId });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialog}
      className="dialog dialog--wide"
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={(e) => void submit(e)} noValidate>
        <h2 id={`${id}-title`}>
          Add sample <span className="mono">{sample.sample_id}</span> (epoch {sample.epoch}) to a finding
        </h2>
        <div className="dialog-body">
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          {excerpt && (
            <div className="field">
              <label className="choice-inline">
                <input type="checkbox" checked={withExcerpt} onChange={(e) => setWithExcerpt(e.target.checked)} /> Include the selected text as an excerpt
              </label>
              <blockquote className="evidence-excerpt">
                <pre className="sample-text">{excerpt.length > 600 ? `${excerpt.slice(0, 600)}…` : excerpt}</pre>
              </blockquote>
            </div>
          )}
          <fieldset className="form-section">
            <legend>Which finding</legend>
            {rows === null ? (
              <p className="muted" role="status">
                Loading your findings…
              </p>
            ) : (
              <ul className="finding-choices">
                {rows.map((r) => (
                  <li key={r.id}>
                    <label className="choice-inline">
                      <input type="radio" name={`${id}-finding`} value={r.id} checked={choice === r.id} onChange={() => setChoice(r.id)} />{' '}
                      <span className="break">{r.title}</span> <span className="muted small">({SEVERITY_LABEL[r.severity]})</span>
                    </label>
                  </li>
                ))}
                <li>
                  <label className="choice-inline">
                    <input type="radio" name={`${id}-finding`} value={NEW} checked={choice === NEW} onChange={() => setChoice(NEW)} /> A new finding
                  </label>
                </li>
              </ul>
            )}
            {choice === NEW && (
              <div className="form-grid">
                <div className="field field--wide">
                  <label htmlFor={`${id}-new-title`}>Title of the new finding</label>
                  <input id={`${id}-new-title`} value={title} onChange={(e) => setTitle(e.target.value)} />
                </div>
                <KindSeverityFields idPrefix={`${id}-new`} kind={kind} severity={severity} onKind={setKind} onSeverity={setSeverity} />
              </div>
            )}
          </fieldset>
          <p className="muted small">The link names the log file’s SHA-256, the sample id and epoch, so it still resolves after a re-import elsewhere.</p>
        </div>
        <div className="button-row button-row--end">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy || rows === null}>
            {busy ? 'Adding…' : 'Add to finding'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
