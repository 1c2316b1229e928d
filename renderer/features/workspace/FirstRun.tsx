import { useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Role } from '../../../shared/domain/identity';
import { Field } from '../../components/Field';
import { errorMessage } from '../../lib/api';
import { useWorkspaceStore } from '../../stores/workspaceStore';
import { GateLayout, KeyDerivationProgress } from './GateLayout';
import { RestoreFromBackupLink } from '../backup/RestoreFromBackup';

const MIN_PASSPHRASE = 12;

/** First run: the person's identity and the passphrase that protects their signing key. */
export function FirstRun() {
  const { create, dataDir } = useWorkspaceStore(useShallow((s) => ({ create: s.create, dataDir: s.status?.data_dir ?? '' })));
  const [name, setName] = useState('');
  const [org, setOrg] = useState('');
  const [role, setRole] = useState<Role>('evaluator');
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [encrypt, setEncrypt] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const missing = Math.max(0, MIN_PASSPHRASE - passphrase.length);
  const passphraseHint =
    passphrase.length === 0
      ? `At least ${MIN_PASSPHRASE} characters; a few unrelated words work well.`
      : missing > 0
        ? `${missing} more character${missing === 1 ? '' : 's'} needed.`
        : 'Long enough.';

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (name.trim() === '') return setError('Enter your name as colleagues know it; it is shown with everything you sign.');
    if (org.trim() === '') return setError('Enter your organisation; it is shown with everything you sign.');
    if (passphrase.length < MIN_PASSPHRASE) return setError(`The passphrase must be at least ${MIN_PASSPHRASE} characters long.`);
    if (passphrase !== confirm) return setError('The two passphrases do not match; type them again.');
    setError(null);
    setBusy(true);
    try {
      await create({ name, org, role, passphrase, encrypt });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <GateLayout wide>
      <h1>Create your identity</h1>
      <p className="lead">
        EvalNotes signs everything you export with a key that never leaves this machine. Your name, organisation and role travel with
        each signed bundle, so whoever receives it knows who vouches for it.
      </p>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={error ? 'first-run-error' : undefined}>
        <div className="form-grid">
          <Field id="id-name" label="Your name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" autoFocus />
          <Field id="id-org" label="Organisation" value={org} onChange={(e) => setOrg(e.target.value)} autoComplete="organization" />
        </div>
        <fieldset className="choice-group">
          <legend>Role</legend>
          <label className="choice">
            <input type="radio" name="role" value="evaluator" checked={role === 'evaluator'} onChange={() => setRole('evaluator')} />
            <span>
              <strong>Evaluator</strong>
              <span className="choice-hint">Records results and findings and exports them as signed bundles.</span>
            </span>
          </label>
          <label className="choice">
            <input type="radio" name="role" value="supervisor" checked={role === 'supervisor'} onChange={() => setRole('supervisor')} />
            <span>
              <strong>Supervisor</strong>
              <span className="choice-hint">Reviews findings, records determinations and reports.</span>
            </span>
          </label>
        </fieldset>
        <div className="callout">
          <strong>Your passphrase protects your signing key.</strong> Anyone with it can sign bundles as you. It cannot be recovered: if
          it is forgotten, this identity is lost, so keep it somewhere safe.
        </div>
        <div className="form-grid">
          <Field
            id="id-passphrase"
            label="Passphrase"
            type="password"
            autoComplete="new-password"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
            hint={passphraseHint}
          />
          <Field
            id="id-confirm"
            label="Confirm passphrase"
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            hint={confirm.length > 0 && confirm !== passphrase ? 'Does not match yet.' : 'Type it once more.'}
          />
        </div>
        <label className="choice">
          <input type="checkbox" checked={encrypt} onChange={(e) => setEncrypt(e.target.checked)} />
          <span>
            <strong>Encrypt this workspace</strong>
            <span className="choice-hint">
              Its database and files are stored encrypted under keys from your passphrase, and it locks itself after 15 minutes without
              use. Without it, anyone who can read this folder can read your notes (your signing key is protected either way).
            </span>
          </span>
        </label>
        {error && (
          <p id="first-run-error" className="form-error" role="alert">
            {error}
          </p>
        )}
        {busy && <KeyDerivationProgress text="Creating your signing key and protecting it with your passphrase…" />}
        <div className="button-row button-row--end">
          <button type="submit" className="button button--primary" aria-disabled={busy}>
            {busy ? 'Creating…' : 'Create identity'}
          </button>
        </div>
      </form>
      <RestoreFromBackupLink over="empty" dataDir={dataDir} />
    </GateLayout>
  );
}
