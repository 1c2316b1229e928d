/** Pieces the export dialog and the Bundles screen share: a bundle's marking and its counts. */
import type { BundleManifest } from '../../../shared/domain/bundle';
import { handlingLine, type Handling } from '../../../shared/domain/handling';
import { tlpTone } from '../../components/HandlingBanner';
import { countLines } from './bundleText';

/**
 * A bundle's handling marking, large: whoever exports or receives it sees how
 * it must be handled before anything else. Not the screen's own marking, so it
 * is named apart from it.
 */
export function BundleMarking({ handling, label = 'Marking of this bundle' }: { handling: Handling; label?: string }) {
  return (
    <div role="note" aria-label={label} className={`marking marking--${tlpTone(handling.tlp)} bundle-marking`} data-testid="bundle-marking">
      {handlingLine(handling)}
    </div>
  );
}

/** "1 engagement · 2 findings · 1 evidence file", as a list. */
export function BundleCounts({ counts, label }: { counts: BundleManifest['counts']; label: string }) {
  const lines = countLines(counts);
  if (lines.length === 0) return <p className="muted">No records.</p>;
  return (
    <ul className="count-list" aria-label={label} data-testid="bundle-counts">
      {lines.map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  );
}
