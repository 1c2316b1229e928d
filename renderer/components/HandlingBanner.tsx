import { handlingLine, type Handling, type Tlp } from '../../shared/domain/handling';

/** TLP 2.0 colour family per label; the CSS keeps text readable on each (≥ 4.5:1). */
export function tlpTone(tlp: Tlp): 'red' | 'amber' | 'green' | 'clear' {
  switch (tlp) {
    case 'RED':
      return 'red';
    case 'AMBER':
    case 'AMBER+STRICT':
      return 'amber';
    case 'GREEN':
      return 'green';
    case 'CLEAR':
      return 'clear';
  }
}

/**
 * The handling marking, framing the screen at the top and the bottom like a
 * classification line on paper: whoever looks at the screen sees it.
 */
export function HandlingBanner({ handling, edge }: { handling: Handling; edge: 'top' | 'bottom' }) {
  return (
    <div role="note" aria-label="Handling marking" className={`marking marking--${tlpTone(handling.tlp)} marking--${edge}`}>
      {handlingLine(handling)}
    </div>
  );
}

/** A small inline sample of a marking, for forms and lists (not a landmark, not announced as the marking). */
export function TlpChip({ tlp }: { tlp: Tlp }) {
  return <span className={`tlp-chip tlp-chip--${tlpTone(tlp)}`}>TLP:{tlp}</span>;
}
