import { useId, useRef, useState, type FormEvent } from 'react';
import { Field } from '../../components/Field';
import { errorMessage } from '../../lib/api';
import { shortKey } from '../../lib/format';
import { useModalDialog } from '../../lib/useModalDialog';
import { useKeysStore } from '../../stores/keysStore';
import { useUiStore } from '../../stores/uiStore';
import { useWorkspaceStore } from '../../stores/workspaceStore';
import { KeyDerivationProgress } from '../workspace/GateLayout';

/**
 * Rotate the signing key: says what happens before it happens (a new key, the
 * old one signs the hand-over and is destroyed, peers follow from the next
 * bundle), then asks for the passphrase, which unlocks the key being retired.
 * The passphrase field is cleared after every attempt.
 */
export function RotateKeyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const rotate = useKeysStore((s) => s.rotate);
  const own = useKeysStore((s) => s.own);
  const reloadStatus = useWorkspaceStore((s) => s.load);
  const notify = useUiStore((s) => s.notify);
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useModalDialog(ref, open);

  function close() {
    setPassphrase('');
    setError(null);
    onClose();
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (busy) return;
    if (passphrase === '') return setError('Enter your passphrase: it unlocks the key being retired, which signs the hand-over.');
    setBusy(true);
    setError(null);
    try {
      const next = await rotate(passphrase);
      // Every "you" and "yours" in the app follows the identity in the workspace status.
      await reloadStatus();
      notify('info', `Your new signing key is ${shortKey(next.key_id)}. Your next bundles carry the hand-over from your old key.`);
      close();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPassphrase('');
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={ref}
      className="dialog dialog--wide"
      aria-labelledby={titleId}
      onCancel={(ev) => {
        ev.preventDefault();
        if (!busy) close();
      }}
    >
      <h2 id={titleId}>Rotate your signing key</h2>
      <form className="form" aria-labelledby={titleId} onSubmit={(ev) => void submit(ev)} noValidate>
        <ul className="rotate-facts">
          <li>A new key pair becomes your signing key, protected by the same passphrase.</li>
          <li>
            Your current key{own ? ` (${shortKey(own.key_id)})` : ''} signs a statement naming the new one; every bundle you export from now on carries it, so
            anyone who trusts your current key accepts the new one as yours.
          </li>
          <li>You keep editing everything you wrote before; it stays yours.</li>
          <li>The current private key is destroyed in this workspace and cannot be used again.</li>
        </ul>
        <Field
          id={`${titleId}-passphrase`}
          label="Passphrase"
          type="password"
          autoComplete="current-password"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          hint="It unlocks the key being retired, which signs the hand-over."
          autoFocus
        />
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {busy && <KeyDerivationProgress text="Unlocking your key and making the new one…" />}
        <div className="button-row button-row--end">
          <button type="button" className="button" onClick={close} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" aria-disabled={busy}>
            {busy ? 'Rotating…' : 'Rotate key'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
