import { useState } from 'react';
import { csafFileName, csafRefusal, trackingId } from '../../../shared/domain/csaf';
import type { FindingView } from '../../../shared/domain/finding';
import { call, errorMessage, transport } from '../../lib/api';
import { useUiStore } from '../../stores/uiStore';

/**
 * The advisory to the person: a save dialog on the desktop, a one-time
 * download in the browser. False when they cancelled the dialog.
 */
async function exportCsaf(findingId: string): Promise<boolean> {
  const name = csafFileName(trackingId(findingId));
  if (transport() === 'desktop') {
    const to = await call('dialog:saveFile', { title: 'Save the CSAF advisory', default_name: name, filters: [{ name: 'CSAF advisory (JSON)', extensions: ['json'] }] });
    if (!to) return false;
    return (await call('finding:csaf', { finding_id: findingId, to })).saved;
  }
  const { download_url } = await call('finding:csaf', { finding_id: findingId, to: null });
  if (!download_url) return false;
  // A download, never a navigation: the attribute makes the browser save the answer instead of showing it.
  const link = document.createElement('a');
  link.href = download_url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  return true;
}

/**
 * Export CSAF, for software-vulnerability findings (anyone's: a clearinghouse
 * analyst exports what evaluators found). Disabled, with the reason beside it,
 * while the finding lacks what an advisory needs.
 */
export function ExportCsafButton({ view }: { view: FindingView }) {
  const notify = useUiStore((s) => s.notify);
  const [busy, setBusy] = useState(false);
  if (view.finding.kind !== 'software-vulnerability') return null;
  const refusal = csafRefusal(view.finding, view.shown_status);

  async function run() {
    setBusy(true);
    try {
      if (await exportCsaf(view.finding.id)) notify('info', 'The CSAF 2.0 advisory is saved.');
    } catch (error) {
      notify('error', errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="button-row">
      <button type="button" className="button" disabled={busy || refusal !== null} aria-describedby={refusal ? 'csaf-why' : undefined} onClick={() => void run()}>
        {busy ? 'Exporting…' : 'Export CSAF'}
      </button>
      {refusal && (
        <span id="csaf-why" className="muted small">
          {refusal}
        </span>
      )}
    </div>
  );
}
