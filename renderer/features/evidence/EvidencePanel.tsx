import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { EvidenceLink, Finding } from '../../../shared/domain/finding';
import type { Attachment } from '../../../shared/domain/note';
import { call, errorMessage } from '../../lib/api';
import { shortSha } from '../../lib/format';
import { routeHash } from '../../lib/route';
import { useFileDrop } from '../../lib/useFileDrop';
import { useUiStore } from '../../stores/uiStore';
import { AttachmentItem } from './AttachmentItem';
import type { AttachProgress } from './useAttachEvidence';

function SampleItem({ link, engagementId }: { link: Extract<EvidenceLink, { kind: 'sample' }>; engagementId: string }) {
  const { navigate, notify } = useUiStore(useShallow((s) => ({ navigate: s.navigate, notify: s.notify })));
  async function open() {
    if (!link.sample_record_id) return;
    try {
      const sample = await call('sample:get', { id: link.sample_record_id });
      navigate({ page: 'run', id: engagementId, runId: sample.run_id, sampleId: sample.id });
    } catch (error) {
      notify('error', errorMessage(error));
    }
  }
  const hashes = Object.entries(link.hashes);
  return (
    <li className="evidence-item" data-testid="evidence-sample">
      <div className="evidence-item-head">
        <span className="evidence-kind">Sample</span>
        <span>
          Sample <span className="mono">{link.sample_id}</span>, epoch {link.epoch}
        </span>
        <span className="muted small mono" title={`Source file SHA-256 ${link.source_sha256}`}>
          source {shortSha(link.source_sha256)}
          {hashes.length > 0 && ` · ${hashes.map(([k, v]) => `${k} ${v.slice(0, 8)}`).join(' · ')}`}
        </span>
        {link.sample_record_id && (
          <button type="button" className="button button--ghost button--small" onClick={() => void open()}>
            Open the sample
          </button>
        )}
      </div>
      {link.excerpt && (
        <blockquote className="evidence-excerpt">
          <pre className="sample-text">{link.excerpt}</pre>
        </blockquote>
      )}
    </li>
  );
}

type EvidencePanelProps = {
  finding: Finding;
  mine: boolean;
  progress: AttachProgress;
  attach: (source: { files: File[]; from: 'drop' | 'paste' } | 'dialog') => Promise<void>;
};

/**
 * What the finding cites: files (drop them here, paste a screenshot anywhere
 * on the page, or choose them), runs and samples. Images and text files show
 * a preview; anything else can be downloaded.
 */
export function EvidencePanel({ finding: f, mine, progress, attach }: EvidencePanelProps) {
  const [attachments, setAttachments] = useState<Record<string, Attachment>>({});
  const attachmentIds = f.evidence.flatMap((e) => (e.kind === 'attachment' ? [e.attachment_id] : [])).join(',');

  // Type and size of each attached file, from the engagement's list (the link itself carries name and digest).
  useEffect(() => {
    if (attachmentIds === '') return;
    let live = true;
    call('attachments:list', { engagement_id: f.engagement_id }).then(
      (list) => live && setAttachments(Object.fromEntries(list.map((a) => [a.id, a]))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [f.engagement_id, attachmentIds]);

  const { dragging, handlers: drag } = useFileDrop((files) => void attach({ files, from: 'drop' }));


  const files = f.evidence.filter((e) => e.kind === 'attachment');
  const runs = f.evidence.filter((e) => e.kind === 'run');
  const samples = f.evidence.filter((e) => e.kind === 'sample');
  return (
    <section className="evidence-panel" aria-labelledby="evidence-title">
      <h2 id="evidence-title" className="section-title">
        Evidence <span className="count">{f.evidence.length}</span>
      </h2>
      {mine && (
        <div className={`drop-zone drop-zone--compact ${dragging ? 'is-drag-over' : ''}`} data-testid="evidence-drop-zone" {...drag}>
          <p className="muted">
            {dragging ? 'Drop the files to attach them.' : 'Drop files here, or paste a screenshot anywhere on this page. Each file is kept once, by its SHA-256.'}
          </p>
          <button type="button" className="button" disabled={progress.busy} onClick={() => void attach('dialog')}>
            Choose files…
          </button>
        </div>
      )}
      <p className="muted small" role="status">
        {progress.message}
      </p>
      {progress.failed.length > 0 && (
        <div className="form-error" role="alert">
          {progress.failed.map((x, i) => (
            <span key={i} className="form-error-message">
              {x.name}: {x.message}
            </span>
          ))}
        </div>
      )}
      {f.evidence.length === 0 ? (
        <p className="muted">No evidence yet.{mine ? ' Attach files here, or cite a sample from a run’s samples with “Add to finding…”.' : ''}</p>
      ) : (
        <ul className="evidence-list" aria-label="Evidence">
          {files.map((e) => (
            <AttachmentItem key={e.attachment_id} link={e} meta={attachments[e.attachment_id]} />
          ))}
          {runs.map((e) => (
            <li key={e.run_id} className="evidence-item" data-testid="evidence-run">
              <div className="evidence-item-head">
                <span className="evidence-kind">Run</span>
                <a href={routeHash({ page: 'run', id: f.engagement_id, runId: e.run_id })}>{e.label}</a>
                {e.source_sha256 && (
                  <span className="muted small mono" title={`Source file SHA-256 ${e.source_sha256}`}>
                    source {shortSha(e.source_sha256)}
                  </span>
                )}
              </div>
            </li>
          ))}
          {samples.map((e) => (
            <SampleItem key={`${e.source_sha256}:${e.sample_id}:${e.epoch}`} link={e} engagementId={f.engagement_id} />
          ))}
        </ul>
      )}
    </section>
  );
}
