import { useState, type FormEvent } from 'react';
import { Field } from '../../components/Field';
import { call, errorMessage } from '../../lib/api';
import { useUiStore } from '../../stores/uiStore';
import { KeyDerivationProgress } from '../workspace/GateLayout';
import { MIN_PASSPHRASE, passphraseProblem } from './passphrase';

/**
 * Change the passphrase: the master key is rewrapped, nothing else changes.
 * The fields are cleared after every attempt, so no passphrase lingers on screen
 * or in memory longer than the call; nothing of them is logged.
 */
export function ChangePassphraseForm() {
  const notify = useUiStore((s) => s.notify);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function clear() {
    setCurrent('');
    setNext('');
    setRepeat('');
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (busy) return;
    const problem = passphraseProblem(current, next, repeat);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await call('keys:changePassphrase', { current, next });
      notify('info', 'Passphrase changed. Use the new one the next time you unlock EvalNotes.');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      clear();
      setBusy(false);
    }
  }

  return (
    <form className="form passphrase-form" aria-labelledby="passphrase-title" onSubmit={(ev) => void submit(ev)} noValidate>
      <h2 id="passphrase-title" className="section-title">
        Change passphrase
      </h2>
      <p className="muted">Your signing key stays the same; only the passphrase that unlocks it changes.</p>
      <div className="form-grid">
        <Field id="pp-current" label="Current passphrase" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        <Field id="pp-next" label="New passphrase" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} hint={`At least ${MIN_PASSPHRASE} characters.`} />
        <Field id="pp-repeat" label="Repeat the new passphrase" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {busy && <KeyDerivationProgress text="Protecting your key with the new passphrase…" />}
      <div className="button-row">
        <button type="submit" className="button" aria-disabled={busy}>
          {busy ? 'Changing…' : 'Change passphrase'}
        </button>
      </div>
    </form>
  );
}
