import { Fragment, useId, useRef, useState, type FormEvent } from 'react';
import type { Role } from '../../../shared/domain/identity';
import { Field } from '../../components/Field';
import { errorMessage } from '../../lib/api';
import { chooseInBrowser } from '../../lib/files';
import { useKeysStore } from '../../stores/keysStore';
import { useUiStore } from '../../stores/uiStore';
import { readPublicKeyText } from './pem';
import { useModalDialog } from '../../lib/useModalDialog';

type Picked = { fileName: string; pem: string; fingerprint: string };

/** A read-aloud fingerprint: eight groups of four, two rows. */
export function Fingerprint({ value, testId }: { value: string; testId?: string }) {
  return (
    <p className="fingerprint" data-testid={testId}>
      {value.split(' ').map((group, i) => (
        <Fragment key={i}>
          {i > 0 && ' '}
          <span>{group}</span>
        </Fragment>
      ))}
    </p>
  );
}

/**
 * Trust a key: its .pub file (read here, so its fingerprint can be checked with
 * the owner before anything is stored), whose it is, and as what.
 */
export function TrustKeyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const errorId = useId();
  const trust = useKeysStore((s) => s.trust);
  const notify = useUiStore((s) => s.notify);
  const [picked, setPicked] = useState<Picked | null>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('evaluator');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useModalDialog(ref, open);

  function close() {
    setPicked(null);
    setName('');
    setRole('evaluator');
    setError(null);
    onClose();
  }

  async function choose() {
    const [file] = await chooseInBrowser({ title: 'The public key to trust', extensions: ['pub', 'pem'], multiple: false, filterName: 'Public keys' });
    if (!file) return;
    setError(null);
    const read = await readPublicKeyText(file.size > 64 * 1024 ? 'x'.repeat(64 * 1024) : await file.text());
    if (!read.ok) {
      setPicked(null);
      setError(`${file.name}: ${read.message}`);
      return;
    }
    setPicked({ fileName: file.name, pem: read.pem, fingerprint: read.fingerprint });
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (!picked) return setError('Choose the public key file (.pub) first.');
    if (!name.trim()) return setError('Say whose key this is: their name.');
    setBusy(true);
    setError(null);
    try {
      const k = await trust({ public_key_pem: picked.pem, name: name.trim(), role });
      notify('info', `Trusted ${k.name} as ${k.role}: their bundles are accepted from now on.`);
      close();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
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
        close();
      }}
    >
      <h2 id={titleId}>Trust a key</h2>
      <form className="form" aria-labelledby={titleId} onSubmit={(ev) => void submit(ev)} noValidate>
        <div className="field">
          <span className="field-label">Public key file</span>
          <div className="button-row">
            <button type="button" className="button" onClick={() => void choose()} autoFocus>
              {picked ? 'Choose another file…' : 'Choose a .pub file…'}
            </button>
            {picked && <span className="break">{picked.fileName}</span>}
          </div>
        </div>
        {picked && (
          <div className="trust-check">
            <p>
              <strong>Check this fingerprint with the key’s owner</strong> (in person or by phone) before you trust it:
            </p>
            <Fingerprint value={picked.fingerprint} testId="trust-fingerprint" />
          </div>
        )}
        <Field id={`${titleId}-name`} label="Whose key" value={name} onChange={(ev) => setName(ev.target.value)} maxLength={200} autoComplete="off" hint="Their name as you want to see it on what they signed." />
        <fieldset className="choice-group">
          <legend>Trusted as</legend>
          <label className="choice">
            <input type="radio" name={`${titleId}-role`} checked={role === 'evaluator'} onChange={() => setRole('evaluator')} />
            <span>
              Evaluator<span className="choice-hint">Their findings and notes are accepted.</span>
            </span>
          </label>
          <label className="choice">
            <input type="radio" name={`${titleId}-role`} checked={role === 'supervisor'} onChange={() => setRole('supervisor')} />
            <span>
              Supervisor<span className="choice-hint">Their reviews can validate or reject findings.</span>
            </span>
          </label>
        </fieldset>
        {error && (
          <p className="form-error" role="alert" id={errorId}>
            {error}
          </p>
        )}
        <div className="button-row button-row--end">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Trusting…' : 'Trust key'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
