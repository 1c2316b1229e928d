import { useId, useRef, useState, type FormEvent } from 'react';
import type { TrustedKey } from '../../../shared/domain/bundle';
import { errorMessage } from '../../lib/api';
import { chooseInBrowser } from '../../lib/files';
import { shortKey } from '../../lib/format';
import { useModalDialog } from '../../lib/useModalDialog';
import { useKeysStore } from '../../stores/keysStore';
import { useUiStore } from '../../stores/uiStore';
import { readPublicKeyText } from './pem';
import { Fingerprint } from './TrustKeyDialog';

type Picked = { fileName: string; pem: string; keyId: string; fingerprint: string };

/**
 * A supervisor re-assigns a lost key: the author's new public key (read here,
 * so its fingerprint can be checked with them first), then a statement signed
 * by this workspace's key. `lost` is the trust-store entry of the lost key.
 */
export function ReassignKeyDialog({ lost, onClose }: { lost: TrustedKey | null; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const reassign = useKeysStore((s) => s.reassign);
  const notify = useUiStore((s) => s.notify);
  const [picked, setPicked] = useState<Picked | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useModalDialog(ref, lost !== null);

  function close() {
    setPicked(null);
    setError(null);
    onClose();
  }

  async function choose() {
    const [file] = await chooseInBrowser({ title: 'The author’s new public key', extensions: ['pub', 'pem'], multiple: false, filterName: 'Public keys' });
    if (!file) return;
    setError(null);
    const read = await readPublicKeyText(file.size > 64 * 1024 ? 'x'.repeat(64 * 1024) : await file.text());
    if (!read.ok) {
      setPicked(null);
      setError(`${file.name}: ${read.message}`);
      return;
    }
    setPicked({ fileName: file.name, pem: read.pem, keyId: read.keyId, fingerprint: read.fingerprint });
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (!lost || busy) return;
    if (!picked) return setError(`Choose ${lost.name}’s new public key file (.pub) first.`);
    setBusy(true);
    setError(null);
    try {
      const k = await reassign(lost.key_id, picked.pem);
      notify('info', `${k.name}’s lost key is re-assigned to ${shortKey(k.key_id)}; its bundles are refused from now on.`);
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
      <h2 id={titleId}>{lost ? `Re-assign ${lost.name}’s lost key` : 'Re-assign a lost key'}</h2>
      <form className="form" aria-labelledby={titleId} onSubmit={(ev) => void submit(ev)} noValidate>
        <ul className="rotate-facts">
          <li>
            The lost key {lost ? `(${shortKey(lost.key_id)})` : ''} signs nothing accepted from now on: its bundles are refused, here and by everyone who trusts you as a
            supervisor once they have your next bundle. What it signed before stays.
          </li>
          <li>The new key is trusted as {lost ? `${lost.name} (${lost.role})` : 'its author'}, and your signature on the re-assignment travels in your bundles.</li>
        </ul>
        <div className="field">
          <span className="field-label">New public key</span>
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
              <strong>Check this fingerprint with {lost?.name ?? 'its owner'}</strong> (in person or by phone) before you re-assign:
            </p>
            <Fingerprint value={picked.fingerprint} testId="reassign-fingerprint" />
          </div>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="button-row button-row--end">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Re-assigning…' : 'Re-assign key'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
