import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type { Finding, FindingChanges } from '../../../shared/domain/finding';
import { Field, FieldError } from '../../components/Field';
import { errorMessage } from '../../lib/api';
import { hasCommandModifier } from '../../lib/keys';
import { cvss31Text, cvssText, KindSeverityFields } from './bits';
import { detailsChanges, fieldOfMessage, valuesFrom, type DetailsField, type DetailsValues } from './detailsForm';

type DetailsFormProps = {
  finding: Finding;
  /** Saves the edit (through the page's one queue of writes); throws ApiCallError when refused. */
  save: (changes: FindingChanges) => Promise<Finding>;
};

/** A list of short ids or words as chips, with a box to add one (Enter adds). */
function ChipList({
  id,
  label,
  hint,
  values,
  onChange,
  error,
  addLabel,
  mono,
}: {
  id: string;
  label: string;
  hint: string;
  values: string[];
  onChange: (v: string[]) => void;
  error: string | undefined;
  addLabel: string;
  mono?: boolean;
}) {
  const [draft, setDraft] = useState('');
  function add() {
    const v = draft.trim();
    if (v !== '' && !values.includes(v)) onChange([...values, v]);
    setDraft('');
  }
  function onKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter') {
      e.preventDefault();
      add();
    }
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {values.length > 0 && (
        <ul className="chips" aria-label={`${label} added`}>
          {values.map((v) => (
            <li key={v} className={`chip ${mono ? 'mono' : ''}`}>
              <span>{v}</span>
              <button type="button" className="chip-remove" aria-label={`Remove ${v}`} title={`Remove ${v}`} onClick={() => onChange(values.filter((x) => x !== v))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="inline-add">
        <input
          id={id}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKey}
          onBlur={add}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
          aria-invalid={error ? true : undefined}
          className={mono ? 'mono' : undefined}
        />
        <button type="button" className="button" onClick={add}>
          {addLabel}
        </button>
      </div>
      {error && <FieldError id={`${id}-error`} message={error} />}
      <p id={`${id}-hint`} className="field-hint">
        {hint}
      </p>
    </div>
  );
}

/**
 * Title, kind, severity, CVSS vectors (v4.0 and v3.1), CWE, ATLAS, affected product and CVE,
 * tags. Saved together with Save details (or Ctrl/Cmd+S); each field is
 * checked first and main's refusal is shown by the field it is about.
 */
export function DetailsForm({ finding, save }: DetailsFormProps) {
  const [base, setBase] = useState(finding);
  const [values, setValues] = useState<DetailsValues>(() => valuesFrom(finding));
  const [errors, setErrors] = useState<Partial<Record<DetailsField, string>>>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [savedNote, setSavedNote] = useState<string | null>(null);

  const pending = detailsChanges(base, values);
  const dirty = Object.keys(pending.changes).length > 0 || Object.keys(pending.errors).length > 0;
  const set = <K extends keyof DetailsValues>(key: K, value: DetailsValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setSavedNote(null);
  };

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    const { changes, errors: found } = detailsChanges(base, values);
    setErrors(found);
    setRefusal(null);
    if (Object.keys(found).length > 0) return;
    if (Object.keys(changes).length === 0) return;
    setBusy(true);
    try {
      const saved = await save(changes);
      setBase(saved);
      setValues(valuesFrom(saved));
      setSavedNote(`Details saved (revision ${saved.revision}).`);
    } catch (error) {
      const message = errorMessage(error);
      const field = fieldOfMessage(message);
      setRefusal(message);
      // Only a leading field path ("cvss_vector: …") goes; a sentence keeps its colons (AV:N).
      if (field) setErrors({ [field]: message.replace(/^[a-z_][a-z0-9_.]*:\s*/, '') });
    } finally {
      setBusy(false);
    }
  }

  const err = (k: DetailsField) => errors[k];
  const cwe = values.cwe;
  const sv = values.kind === 'software-vulnerability';
  return (
    <form
      className="form details-form"
      aria-label="Finding details"
      noValidate
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (hasCommandModifier(e) && e.key.toLowerCase() === 's') {
          e.preventDefault();
          void submit();
        }
      }}
    >
      {refusal && (
        <p className="form-error" role="alert" id="details-error">
          {refusal}
        </p>
      )}
      <div className="form-grid">
        <Field id="finding-title-input" label="Title" className="field--wide" value={values.title} onChange={(e) => set('title', e.target.value)} error={err('title')} />
        <KindSeverityFields idPrefix="finding" kind={values.kind} severity={values.severity} onKind={(k) => set('kind', k)} onSeverity={(s) => set('severity', s)} />
        <Field
          id="finding-cvss"
          label="CVSS v4.0 vector"
          optional
          className="field--wide mono-input"
          value={values.cvss}
          placeholder="CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
          spellCheck={false}
          onChange={(e) => set('cvss', e.target.value)}
          error={err('cvss')}
          hint={
            base.cvss ? (
              <>
                Saved vector scores <strong data-testid="cvss-score">{cvssText(base)}</strong> (computed by EvalNotes from the vector).
              </>
            ) : (
              'The score and rating are computed from the vector when you save.'
            )
          }
        />
        <Field
          id="finding-cvss31"
          label="CVSS v3.1 vector"
          optional
          className="field--wide mono-input"
          value={values.cvss31}
          placeholder="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
          spellCheck={false}
          onChange={(e) => set('cvss31', e.target.value)}
          error={err('cvss31')}
          hint={
            base.cvss31 ? (
              <>
                Saved vector scores <strong data-testid="cvss31-score">{cvss31Text(base)}</strong>. CSAF 2.0 advisories carry v3.1 scores; v4.0 goes in a note.
              </>
            ) : (
              'For CSAF 2.0 advisories, which carry v3.1 scores (v4.0 goes in a note).'
            )
          }
        />
      </div>

      <fieldset className="form-section">
        <legend>CWE</legend>
        {cwe.length > 0 && (
          <ul className="cwe-rows" aria-label="CWE entries">
            {cwe.map((c, i) => (
              <li key={i} className="cwe-row">
                <div className="field">
                  <label htmlFor={`cwe-id-${i}`}>CWE id, row {i + 1}</label>
                  <input
                    id={`cwe-id-${i}`}
                    className="mono"
                    value={c.id}
                    placeholder="CWE-78"
                    onChange={(e) => set('cwe', cwe.map((x, j) => (j === i ? { ...x, id: e.target.value } : x)))}
                  />
                </div>
                <div className="field">
                  <label htmlFor={`cwe-name-${i}`}>Name, row {i + 1}</label>
                  <input
                    id={`cwe-name-${i}`}
                    value={c.name}
                    placeholder="OS Command Injection"
                    onChange={(e) => set('cwe', cwe.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
                  />
                </div>
                <button type="button" className="button button--ghost button--small" onClick={() => set('cwe', cwe.filter((_, j) => j !== i))}>
                  Remove<span className="visually-hidden"> CWE row {i + 1}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        {err('cwe') && <FieldError id="cwe-error" message={err('cwe') ?? ''} />}
        <button type="button" className="button button--small" onClick={() => set('cwe', [...cwe, { id: '', name: '' }])}>
          Add a CWE
        </button>
      </fieldset>

      <div className="form-grid">
        <ChipList
          id="finding-atlas"
          label="MITRE ATLAS techniques"
          hint="Technique ids such as AML.T0051 or AML.T0051.001; Enter adds one."
          values={values.atlas}
          onChange={(v) => set('atlas', v)}
          error={err('atlas')}
          addLabel="Add technique"
          mono
        />
        <ChipList id="finding-tags" label="Tags" hint="One word each (letters, digits, . _ : / + -); Enter adds one." values={values.tags} onChange={(v) => set('tags', v)} error={err('tags')} addLabel="Add tag" />
      </div>

      {sv && (
        <fieldset className="form-section">
          <legend>Affected software</legend>
          <div className="form-grid form-grid--2x2">
            <Field id="finding-vendor" label="Vendor" optional value={values.vendor} onChange={(e) => set('vendor', e.target.value)} />
            <Field id="finding-product" label="Product" value={values.product} onChange={(e) => set('product', e.target.value)} error={err('product')} />
            <Field id="finding-version" label="Version" optional value={values.version} onChange={(e) => set('version', e.target.value)} />
            <Field
              id="finding-cve"
              label="CVE id"
              optional
              className="mono-input"
              value={values.cve}
              placeholder="CVE-2026-12345"
              onChange={(e) => set('cve', e.target.value)}
              error={err('cve')}
            />
          </div>
        </fieldset>
      )}

      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={busy || !dirty}>
          {busy ? 'Saving…' : 'Save details'}
        </button>
        <span className="muted small" role="status">
          {dirty ? 'Unsaved changes to the details.' : savedNote}
        </span>
      </div>
    </form>
  );
}
