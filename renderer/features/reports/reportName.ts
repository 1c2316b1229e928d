import type { Engagement } from '../../../shared/domain/engagement';

export type ReportFormat = 'pdf' | 'html';

/** A file name a person recognises: the model and version, then "report". */
export function reportFileName(e: Pick<Engagement, 'model' | 'model_version'>, format: ReportFormat): string {
  const stem = `${e.model}-${e.model_version}-report`
    .toLowerCase()
    .replace(/[^\p{L}\p{N}.]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return `${stem || 'report'}.${format}`;
}
