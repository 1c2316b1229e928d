import { useEffect, useRef, useState, type ChangeEvent, type FormEvent, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Engagement } from '../../../shared/domain/engagement';
import { Field, FieldError } from '../../components/Field';
import { TlpChip } from '../../components/HandlingBanner';
import { errorMessage } from '../../lib/api';
import { hasCommandModifier, shortcutLabel } from '../../lib/keys';
import { useToday } from '../../lib/useToday';
import { useEngagementsStore } from '../../stores/engagementsStore';
import {
  emptyValues,
  fieldOfMessage,
  normaliseDigest,
  STATUS_CHOICES,
  TLP_CHOICES,
  toChanges,
  toInput,
  valuesFrom,
  type FormValues,
} from './formValues';

type TextKey = Exclude<keyof FormValues, 'partners' | 'tlp' | 'status'>;

type EngagementFormProps = {
  /** Absent: create a new engagement. Present: edit this one. */
  engagement?: Engagement;
  onSaved: (e: Engagement) => void;
  onCancel: () => void;
};

const ERROR_ID = 'engagement-form-error';

function digestHint(raw: string): string {
  const d = normaliseDigest(raw);
  if (d === '') return 'SHA-256 of the weights you were given, as 64 hex digits, if the developer provided one.';
  if (/^[0-9a-f]{64}$/.test(d)) return 'Looks like a SHA-256 digest.';
  return `A SHA-256 digest is 64 hex digits (0–9, a–f); this has ${d.length} characters.`;
}

/**
 * Create and edit share this form. Main validates; its one-sentence message is
 * shown next to the form and nothing is saved. Enter or Ctrl/Cmd+S saves,
 * Escape cancels.
 */
export function EngagementForm({ engagement, onSaved, onCancel }: EngagementFormProps) {
  const today = useToday();
  const { create, update } = useEngagementsStore(useShallow((s) => ({ create: s.create, update: s.update })));
  const [values, setValues] = useState<FormValues>(() => (engagement ? valuesFrom(engagement) : emptyValues(today)));
  const [partnerDraft, setPartnerDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const invalidField = error ? fieldOfMessage(error) : null;

  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  /** The refusal without its field path, shown under the field it is about. */
  const errorFor = (key: keyof FormValues) => (invalidField === key && error ? error.replace(/^[^:]+:\s*/, '') : undefined);
  /** Value, change handler, refusal and focus target of one text input. */
  const bind = (key: TextKey) => ({
    'data-field': key,
    value: values[key],
    onChange: (e: ChangeEvent<HTMLInputElement>) => set(key, e.target.value),
    error: errorFor(key),
  });

  // Shortcuts work wherever focus is while the form is open.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (document.querySelector('dialog[open]')) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        onCancel();
      } else if (hasCommandModifier(e) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        form.current?.requestSubmit();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);

  // After a refusal, put the cursor where the problem is.
  useEffect(() => {
    if (!invalidField) return;
    const el = form.current?.querySelector<HTMLElement>(`[data-field="${invalidField}"]`);
    el?.focus({ preventScroll: true });
    el?.closest('.field')?.scrollIntoView({ block: 'center' });
  }, [error, invalidField]);

  function addPartner() {
    const name = partnerDraft.trim();
    if (name === '') return;
    if (!values.partners.includes(name)) set('partners', [...values.partners, name]);
    setPartnerDraft('');
  }

  function onPartnerKey(e: KeyboardEvent<HTMLInputElement>) {
    // Enter in the partner box adds the partner rather than saving the form, unless the box is empty.
    if (e.key === 'Enter' && partnerDraft.trim() !== '') {
      e.preventDefault();
      addPartner();
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const saved = engagement ? await update(engagement.id, engagement.revision, toChanges(values)) : await create(toInput(values));
      onSaved(saved);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  const title = engagement ? `Edit ${engagement.model} ${engagement.model_version}` : 'New engagement';
  const tlpMeaning = TLP_CHOICES.find((c) => c.value === values.tlp)?.meaning;

  return (
    <div className="page page--form">
      <header className="page-header">
        <div>
          <h1 tabIndex={-1} data-autofocus-heading>
            {title}
          </h1>
          <p className="muted">
            <kbd>Enter</kbd> or <kbd>{shortcutLabel('S')}</kbd> saves · <kbd>Esc</kbd> cancels
          </p>
        </div>
      </header>
      <form
        ref={form}
        className="form"
        noValidate
        onSubmit={(e) => void submit(e)}
        aria-describedby={error ? ERROR_ID : undefined}
        aria-label={title}
      >
        <fieldset className="form-section">
          <legend>Model under review</legend>
          <div className="form-grid">
            <Field id="eng-developer" label="Developer" {...bind('developer')} autoFocus hint="The lab that gave access." />
            <Field id="eng-model" label="Model" {...bind('model')} hint="For example Orion-2." />
            <Field id="eng-model-version" label="Model version or checkpoint" {...bind('model_version')} hint="For example rc3, or a checkpoint id." />
            <Field
              id="eng-weights-digest"
              label="Weights digest"
              optional
              className="field--wide mono-input"
              {...bind('weights_digest')}
              spellCheck={false}
              autoComplete="off"
              hint={digestHint(values.weights_digest)}
            />
          </div>
        </fieldset>

        <fieldset className="form-section">
          <legend>Review window</legend>
          <div className="form-grid form-grid--2x2">
            <Field id="eng-access-start" label="Access start" type="date" {...bind('access_start')} hint="Day 1 of the window." />
            <Field
              id="eng-window-days"
              label="Window length in days"
              type="number"
              min={1}
              step={1}
              inputMode="numeric"
              {...bind('window_days')}
              hint="Calendar days, weekends included."
            />
            <Field id="eng-release-date" label="Planned release date" optional type="date" {...bind('release_date')} hint="Shown as a second deadline." />
            <div className="field">
              <label htmlFor="eng-status">Status</label>
              <select
                id="eng-status"
                data-field="status"
                value={values.status}
                onChange={(e) => set('status', e.target.value as FormValues['status'])}
                aria-describedby={errorFor('status') ? 'eng-status-error' : undefined}
                aria-invalid={errorFor('status') ? true : undefined}
              >
                {STATUS_CHOICES.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
              {errorFor('status') && <FieldError id="eng-status-error" message={errorFor('status') ?? ''} />}
            </div>
          </div>
        </fieldset>

        <fieldset className="form-section">
          <legend>Handling and sharing</legend>
          <div className="form-grid">
            <div className="field">
              <label htmlFor="eng-tlp">TLP marking</label>
              <select
                id="eng-tlp"
                data-field="tlp"
                value={values.tlp}
                onChange={(e) => set('tlp', e.target.value as FormValues['tlp'])}
                aria-describedby={errorFor('tlp') ? 'eng-tlp-error eng-tlp-hint' : 'eng-tlp-hint'}
                aria-invalid={errorFor('tlp') ? true : undefined}
              >
                {TLP_CHOICES.map((c) => (
                  <option key={c.value} value={c.value}>
                    TLP:{c.value}
                  </option>
                ))}
              </select>
              {errorFor('tlp') && <FieldError id="eng-tlp-error" message={errorFor('tlp') ?? ''} />}
              <p id="eng-tlp-hint" className="field-hint">
                <TlpChip tlp={values.tlp} /> {tlpMeaning}
              </p>
            </div>
            <Field
              id="eng-banner"
              label="Banner text"
              optional
              {...bind('banner')}
              hint="Your organisation's marking line, shown with the TLP label at the top and bottom of every screen."
            />
          </div>
          <div className="field">
            <label htmlFor="eng-partner-new">Trusted partners</label>
            {values.partners.length > 0 && (
              <ul className="chips" aria-label="Partners added">
                {values.partners.map((p) => (
                  <li key={p} className="chip">
                    <span>{p}</span>
                    <button
                      type="button"
                      className="chip-remove"
                      aria-label={`Remove ${p}`}
                      title={`Remove ${p}`}
                      onClick={() => set('partners', values.partners.filter((x) => x !== p))}
                    >
                      ×
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <div className="inline-add">
              <input
                id="eng-partner-new"
                data-field="partners"
                value={partnerDraft}
                onChange={(e) => setPartnerDraft(e.target.value)}
                onKeyDown={onPartnerKey}
                aria-describedby={errorFor('partners') ? 'eng-partner-error eng-partner-hint' : 'eng-partner-hint'}
                aria-invalid={errorFor('partners') ? true : undefined}
              />
              <button type="button" className="button" onClick={addPartner}>
                Add partner
              </button>
            </div>
            {errorFor('partners') && <FieldError id="eng-partner-error" message={errorFor('partners') ?? ''} />}
            <p id="eng-partner-hint" className="field-hint">
              Organisations that share early access. Type a name and press Enter to add it.
            </p>
          </div>
        </fieldset>

        {error && (
          <p id={ERROR_ID} className="form-error" role="alert">
            <span className="form-error-message">
              <span aria-hidden="true">⚠ </span>
              {error}
            </span>
            <span className="form-error-note">Nothing was saved; correct it and save again.</span>
          </p>
        )}
        <div className="button-row button-row--end form-actions">
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" aria-disabled={busy}>
            {busy ? 'Saving…' : engagement ? 'Save changes' : 'Create engagement'}
          </button>
        </div>
      </form>
    </div>
  );
}
