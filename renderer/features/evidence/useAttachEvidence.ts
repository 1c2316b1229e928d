import { useState } from 'react';
import type { CallInput } from '../../../shared/api/contract';
import type { Finding } from '../../../shared/domain/finding';
import { errorMessage } from '../../lib/api';
import { plural } from '../../lib/format';
import { keepAsAttachments, refsForFiles, refsFromDialog, type Failed } from './evidenceFiles';

export type AttachProgress = { busy: boolean; message: string | null; failed: Failed[] };

type AddEvidence = (evidence: CallInput<'finding:addEvidence'>['evidence']) => Promise<Finding>;

/**
 * Files to evidence in one go: hand them to main, keep each as an attachment
 * (stored once by SHA-256), then cite each on the finding. Used by drop, paste
 * and the dialog alike.
 */
export function useAttachEvidence(engagementId: string, addEvidence: AddEvidence) {
  const [progress, setProgress] = useState<AttachProgress>({ busy: false, message: null, failed: [] });

  async function attach(source: { files: File[]; from: 'drop' | 'paste' } | 'dialog'): Promise<void> {
    setProgress({ busy: true, message: source === 'dialog' ? 'Choosing files…' : `Attaching ${plural(source.files.length, 'file')}…`, failed: [] });
    try {
      const handed = source === 'dialog' ? await refsFromDialog() : await refsForFiles(source.files, source.from);
      if (handed.refs.length === 0 && handed.failed.length === 0) {
        setProgress({ busy: false, message: null, failed: [] });
        return;
      }
      setProgress((p) => ({ ...p, message: `Attaching ${plural(handed.refs.length, 'file')}…` }));
      const { kept, failed } = await keepAsAttachments(engagementId, handed.refs);
      const refused = [...handed.failed, ...failed];
      for (const a of kept) {
        try {
          await addEvidence({ kind: 'attachment', attachment_id: a.id });
        } catch (error) {
          refused.push({ name: a.name, message: errorMessage(error) });
        }
      }
      const cited = kept.length - (refused.length - handed.failed.length - failed.length);
      setProgress({ busy: false, message: cited > 0 ? `Attached ${plural(cited, 'file')}.` : null, failed: refused });
    } catch (error) {
      setProgress({ busy: false, message: null, failed: [{ name: 'Files', message: errorMessage(error) }] });
    }
  }

  return { progress, attach };
}
