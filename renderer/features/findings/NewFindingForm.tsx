import { useState, type FormEvent } from 'react';
import type { Engagement } from '../../../shared/domain/engagement';
import { findingEditable, type FindingKind as Kind, type Severity as Sev } from '../../../shared/domain/finding';
import { Field } from '../../components/Field';
import { errorMessage } from '../../lib/api';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { useFindingsStore } from '../../stores/findingsStore';
import { useUiStore } from '../../stores/uiStore';
import { EngagementTabs } from '../results/EngagementFrame';
import { Crumbs, KindSeverityFields } from './bits';

/** A new finding: what it is called, what kind and how severe. Everything else is written on its page, which saves as you type. */
export function NewFindingForm({ engagement: e }: { engagement: Engagement }) {
  const heading = useFocusHeading<HTMLHeadingElement>(`new-finding-${e.id}`);
  const create = useFindingsStore((s) => s.create);
  const navigate = useUiStore((s) => s.navigate);
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState<Kind>('capability');
  const [severity, setSeverity] = useState<Sev>('medium');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    const checked = findingEditable.title.safeParse(title);
    if (!checked.success) {
      setError(`Title ${checked.error.issues[0]?.message ?? 'is not valid'}.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const f = await create({ engagement_id: e.id, title: checked.data, kind, severity });
      navigate({ page: 'finding', id: e.id, findingId: f.id });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <article className="page" aria-labelledby="new-finding-title">
      <header className="page-header">
        <div>
          <Crumbs engagement={e} />
          <h1 id="new-finding-title" ref={heading} tabIndex={-1}>
            New finding
          </h1>
        </div>
      </header>
      <EngagementTabs engagementId={e.id} current="findings" />
      <form className="form" aria-label="New finding" noValidate onSubmit={(ev) => void submit(ev)}>
        {error && (
          <p className="form-error" role="alert" id="new-finding-error">
            {error}
          </p>
        )}
        <div className="form-grid">
          <Field
            id="new-finding-title-input"
            label="Title"
            className="field--wide"
            value={title}
            autoFocus
            onChange={(ev) => setTitle(ev.target.value)}
            errorId={error ? 'new-finding-error' : undefined}
            hint="One line that says what the model did, e.g. “Chains two bugs in an ICS web UI to run commands”."
          />
          <KindSeverityFields idPrefix="new-finding" kind={kind} severity={severity} onKind={setKind} onSeverity={setSeverity} />
        </div>
        <p className="muted">It starts as a draft. On its page you write the description, reproduction, impact and remediation, and attach evidence.</p>
        <div className="button-row button-row--end">
          <button type="button" className="button" onClick={() => navigate({ page: 'findings', id: e.id })}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create finding'}
          </button>
        </div>
      </form>
    </article>
  );
}
