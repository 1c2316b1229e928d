import { useRef, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Identity } from '../../../shared/domain/identity';
import { Field } from '../../components/Field';
import { errorMessage } from '../../lib/api';
import { formatSpan } from '../../lib/format';
import { useWorkspaceStore } from '../../stores/workspaceStore';
import { GateLayout, KeyDerivationProgress } from './GateLayout';
import { RestoreFromBackupLink } from '../backup/RestoreFromBackup';

/** The workspace exists but its key is locked: ask for the passphrase. */
export function Unlock({ identity }: { identity: Identity | null }) {
  const { unlock, dataDir, idleLockedAfterMs } = useWorkspaceStore(
    useShallow((s) => ({ unlock: s.unlock, dataDir: s.status?.data_dir ?? '', idleLockedAfterMs: s.idleLockedAfterMs })),
  );
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await unlock(passphrase);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
      setPassphrase('');
      input.current?.focus();
    }
  }

  return (
    <GateLayout>
      <h1>Unlock EvalNotes</h1>
      {idleLockedAfterMs !== null && <p role="status">EvalNotes locked this workspace after {formatSpan(idleLockedAfterMs)} without use.</p>}
      {identity && (
        <p className="lead">
          Workspace of <strong>{identity.name}</strong>, {identity.org} <span className="capitalize">({identity.role})</span>.
        </p>
      )}
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <Field
          id="unlock-passphrase"
          inputRef={input}
          label="Passphrase"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          errorId={error ? 'unlock-error' : undefined}
        />
        {error && (
          <p id="unlock-error" className="form-error" role="alert">
            {error}
          </p>
        )}
        {busy && <KeyDerivationProgress text="Checking your passphrase…" />}
        <div className="button-row button-row--end">
          <button type="submit" className="button button--primary" aria-disabled={busy}>
            {busy ? 'Unlocking…' : 'Unlock'}
          </button>
        </div>
      </form>
      <RestoreFromBackupLink over="locked" dataDir={dataDir} />
    </GateLayout>
  );
}
