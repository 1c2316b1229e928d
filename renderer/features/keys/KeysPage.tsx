import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { TrustedKey } from '../../../shared/domain/bundle';
import { fingerprintOf, publicKeyFileName, type Identity } from '../../../shared/domain/identity';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { call, errorMessage, transport } from '../../lib/api';
import { downloadFromUrl } from '../../lib/files';
import { formatTimestamp, shortKey } from '../../lib/format';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { useKeysStore } from '../../stores/keysStore';
import { useUiStore } from '../../stores/uiStore';
import { isOwnKey } from './authors';
import { ChangePassphraseForm } from './ChangePassphraseForm';
import { ReassignKeyDialog } from './ReassignKeyDialog';
import { RotateKeyDialog } from './RotateKeyDialog';
import { Fingerprint, TrustKeyDialog } from './TrustKeyDialog';

/** Desktop: the save dialog, then main writes the file. Browser: a one-time download. Resolves with the file name, or null if the person cancels. */
async function exportPublicKey(defaultName: string): Promise<string | null> {
  if (transport() === 'desktop') {
    const to = await call('dialog:saveFile', { title: 'Save your public key', default_name: defaultName, filters: [{ name: 'Public keys', extensions: ['pub'] }] });
    if (!to) return null;
    return (await call('keys:exportPublic', { to })).file_name;
  }
  const { download_url, file_name } = await call('keys:exportPublic', { to: null });
  if (download_url) downloadFromUrl(download_url, file_name);
  return file_name;
}

function OwnKey({ onRotate }: { onRotate: () => void }) {
  const own = useKeysStore((s) => s.own);
  const notify = useUiStore((s) => s.notify);
  const [busy, setBusy] = useState(false);
  if (!own) return null;

  async function onExport() {
    if (!own) return;
    setBusy(true);
    try {
      const name = await exportPublicKey(publicKeyFileName(own));
      if (name) notify('info', `Your public key is saved as ${name}. Give it to whoever verifies your bundles.`);
    } catch (err) {
      notify('error', errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="key-card" aria-labelledby="own-key-title">
      <div className="key-card-head">
        <div>
          <h2 id="own-key-title" className="section-title">
            Your signing key
          </h2>
          <p className="muted">
            {own.name} · <span className="capitalize">{own.role}</span> · {own.org}
          </p>
        </div>
        <div className="button-row">
          <button type="button" className="button" onClick={onRotate}>
            Rotate key…
          </button>
          <button type="button" className="button button--primary" disabled={busy} onClick={() => void onExport()}>
            {busy ? 'Exporting…' : 'Export public key'}
          </button>
        </div>
      </div>
      <p className="muted">Read this fingerprint aloud to whoever trusts your key, so they can check the file they received is yours:</p>
      <Fingerprint value={own.fingerprint} testId="own-fingerprint" />
      <dl className="facts facts--compact">
        <dt>Key id</dt>
        <dd className="mono break" data-testid="own-key-id">
          {own.key_id}
        </dd>
        <dt>Created</dt>
        <dd>{formatTimestamp(own.created_at)}</dd>
        {(own.former_key_ids?.length ?? 0) > 0 && (
          <>
            <dt>Former keys</dt>
            <dd data-testid="own-former-keys">
              {own.former_key_ids?.map((k) => (
                <span key={k} className="mono key-lineage" title={`Key id ${k}`}>
                  {shortKey(k)}{' '}
                </span>
              ))}
              <span className="muted">(what you wrote under them is still yours)</span>
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** A day, with the full time on hover: the table stays narrow. */
function When({ ts }: { ts: string }) {
  return (
    <time dateTime={ts} title={formatTimestamp(ts)} className="nowrap">
      {dateFormat.format(new Date(ts))}
    </time>
  );
}

/** How a key came and went: "rotated from …", "lost: re-assigned to …"; own former keys say so. */
function Lineage({ k, own }: { k: TrustedKey; own: Identity | null }) {
  const parts: string[] = [];
  if (isOwnKey(own, k.key_id)) parts.push('your former key');
  if (k.succeeds) parts.push(`${k.succeeds.kind === 'rotation' ? 'rotated from' : 're-assigned from lost key'} ${shortKey(k.succeeds.key_id)}`);
  if (k.succeeded_by) parts.push(k.succeeded_by.kind === 'rotation' ? `rotated to ${shortKey(k.succeeded_by.key_id)}` : `lost: re-assigned to ${shortKey(k.succeeded_by.key_id)}`);
  if (parts.length === 0) return <span className="muted">—</span>;
  return (
    <span className="key-lineage" data-testid="key-lineage">
      {parts.join('; ')}
    </span>
  );
}

function TrustTable({ onUntrust, onReassign }: { onUntrust: (k: TrustedKey) => void; onReassign: (k: TrustedKey) => void }) {
  const { trusted, trust, loaded, own } = useKeysStore(useShallow((s) => ({ trusted: s.trusted, trust: s.trust, loaded: s.loaded, own: s.own })));
  const supervisor = own?.role === 'supervisor';
  const notify = useUiStore((s) => s.notify);

  async function trustAgain(k: TrustedKey) {
    try {
      await trust({ public_key_pem: k.public_key_pem, name: k.name, role: k.role });
      notify('info', `${k.name}’s key is trusted again: their new bundles are accepted.`);
    } catch (err) {
      notify('error', errorMessage(err));
    }
  }

  if (!loaded) return <p className="muted">Loading the trusted keys…</p>;
  if (trusted.length === 0) {
    return <p className="table-empty">No keys trusted yet. Trust a colleague’s key to verify and ingest the bundles they sign.</p>;
  }
  return (
    <div className="table-scroller table-scroller--flat">
      <table className="data-table" aria-label="Trusted keys">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Fingerprint</th>
            <th scope="col">Trusted since</th>
            <th scope="col">Untrusted since</th>
            <th scope="col">Succession</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {trusted.map((k) => (
            <tr key={k.key_id} className={k.untrusted_at ? 'is-untrusted' : undefined} data-testid="trusted-key-row">
              <th scope="row">{k.name}</th>
              <td className="capitalize nowrap">{k.role}</td>
              <td className="nowrap">
                <span className="mono" title={`Key id ${k.key_id}`}>
                  {shortKey(k.key_id)}
                </span>
                <span className="visually-hidden"> (full fingerprint {fingerprintOf(k.key_id)})</span>
              </td>
              <td>
                <When ts={k.trusted_at} />
              </td>
              <td>
                {k.untrusted_at ? (
                  <span className="badge badge--untrusted">
                    <span aria-hidden="true">⚠</span> <When ts={k.untrusted_at} />
                  </span>
                ) : (
                  <span className="muted">Still trusted</span>
                )}
              </td>
              <td>
                <Lineage k={k} own={own} />
              </td>
              <td className="num">
                {supervisor && !k.untrusted_at && !k.succeeded_by && !isOwnKey(own, k.key_id) && (
                  <button type="button" className="button button--small" onClick={() => onReassign(k)} aria-label={`Re-assign ${k.name}’s lost key`}>
                    Lost…
                  </button>
                )}{' '}
                {k.untrusted_at ? (
                  <button type="button" className="button button--small" onClick={() => void trustAgain(k)}>
                    Trust again
                  </button>
                ) : (
                  <button type="button" className="button button--small button--danger-outline" onClick={() => onUntrust(k)} aria-label={`Untrust ${k.name}`}>
                    Untrust…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Keys: this workspace's key to hand out, the keys it trusts, and the passphrase. */
export function KeysPage() {
  const heading = useFocusHeading<HTMLHeadingElement>('keys');
  const { load, untrust, error } = useKeysStore(useShallow((s) => ({ load: s.load, untrust: s.untrust, error: s.error })));
  const notify = useUiStore((s) => s.notify);
  const [trusting, setTrusting] = useState(false);
  const [untrusting, setUntrusting] = useState<TrustedKey | null>(null);
  const [untrustBusy, setUntrustBusy] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [reassigning, setReassigning] = useState<TrustedKey | null>(null);

  useEffect(() => void load(), [load]);

  async function confirmUntrust() {
    if (!untrusting) return;
    setUntrustBusy(true);
    try {
      await untrust(untrusting.key_id);
      notify('info', `${untrusting.name}’s key is no longer trusted.`);
    } catch (err) {
      notify('error', errorMessage(err));
    } finally {
      setUntrustBusy(false);
      setUntrusting(null);
    }
  }

  return (
    <article className="page page--wide" aria-labelledby="keys-title">
      <header className="page-header">
        <div>
          <p className="eyebrow">Workspace</p>
          <h1 id="keys-title" ref={heading} tabIndex={-1}>
            Keys
          </h1>
        </div>
      </header>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <OwnKey onRotate={() => setRotating(true)} />

      <section aria-labelledby="trusted-title" className="trusted-keys">
        <div className="table-toolbar">
          <div>
            <h2 id="trusted-title" className="section-title">
              Trusted keys
            </h2>
            <p className="muted">Bundles are accepted only when a key listed here (or your own) signed them.</p>
          </div>
          <button type="button" className="button" onClick={() => setTrusting(true)}>
            Trust a key…
          </button>
        </div>
        <TrustTable onUntrust={setUntrusting} onReassign={setReassigning} />
      </section>

      <ChangePassphraseForm />

      <TrustKeyDialog open={trusting} onClose={() => setTrusting(false)} />
      <RotateKeyDialog open={rotating} onClose={() => setRotating(false)} />
      <ReassignKeyDialog lost={reassigning} onClose={() => setReassigning(null)} />
      <ConfirmDialog
        open={untrusting !== null}
        title={`Untrust ${untrusting?.name ?? 'this key'}?`}
        confirmLabel="Untrust key"
        busy={untrustBusy}
        onConfirm={() => void confirmUntrust()}
        onCancel={() => setUntrusting(null)}
      >
        <p>Bundles signed by this key are refused from now on, and cannot be verified or ingested here; so are those of the keys that succeeded it (rotations, re-assignments).</p>
        <p>What it signed before stays in this workspace, flagged “signed by a key no longer trusted”. You can trust it again later.</p>
      </ConfirmDialog>
    </article>
  );
}
