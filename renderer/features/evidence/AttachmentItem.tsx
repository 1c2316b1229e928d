import { useEffect, useState } from 'react';
import type { CallOutput } from '../../../shared/api/contract';
import type { Attachment } from '../../../shared/domain/note';
import { call, errorMessage } from '../../lib/api';
import { formatBytes, shortSha } from '../../lib/format';
import { useUiStore } from '../../stores/uiStore';
import { downloadAttachment, imageUrl } from './evidenceFiles';

type Preview = CallOutput<'attachment:preview'>;

/** Loads an attachment's preview; an image becomes a blob: URL, revoked when the item goes away. */
function usePreview(id: string) {
  const [state, setState] = useState<{ preview: Preview | null; url: string | null; error: string | null }>({ preview: null, url: null, error: null });
  useEffect(() => {
    let live = true;
    let url: string | null = null;
    call('attachment:preview', { id }).then(
      (preview) => {
        if (!live) return;
        if (preview.kind === 'image') url = imageUrl(preview.base64, preview.media_type);
        setState({ preview, url, error: null });
      },
      (error: unknown) => live && setState({ preview: null, url: null, error: errorMessage(error) }),
    );
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [id]);
  return state;
}

/** One attached file: its preview (image or the start of a text) or a download, with its digest. */
export function AttachmentItem({ link, meta }: { link: { attachment_id: string; sha256: string; name: string }; meta: Attachment | undefined }) {
  const { preview, url, error } = usePreview(link.attachment_id);
  const notify = useUiStore((s) => s.notify);
  const [downloading, setDownloading] = useState(false);

  async function download() {
    setDownloading(true);
    try {
      const saved = await downloadAttachment({ id: link.attachment_id, name: link.name });
      if (saved) notify('info', `${link.name} is saved.`);
    } catch (err) {
      notify('error', errorMessage(err));
    } finally {
      setDownloading(false);
    }
  }

  return (
    <li className="evidence-item evidence-item--attachment" data-testid="evidence-attachment">
      <div className="evidence-item-head">
        <span className="evidence-kind">File</span>
        <span className="break evidence-name">{link.name}</span>
        <span className="muted small">
          {meta ? `${meta.media_type} · ${formatBytes(meta.size)} · ` : ''}
          <span className="mono" title={`SHA-256 ${link.sha256}`}>
            {shortSha(link.sha256)}
          </span>
        </span>
        <button type="button" className="button button--ghost button--small" disabled={downloading} onClick={() => void download()} aria-label={`Download ${link.name}`}>
          {downloading ? 'Saving…' : 'Download'}
        </button>
      </div>
      {error && <p className="field-error">{error}</p>}
      {preview?.kind === 'image' && url && <img className="evidence-image" src={url} alt={`Preview of ${link.name}`} />}
      {preview?.kind === 'text' && (
        <>
          <pre className="sample-text evidence-text">{preview.text}</pre>
          {preview.truncated && <p className="muted small">Only the start of the file is shown; download it to read all of it.</p>}
        </>
      )}
    </li>
  );
}
