/** Small pieces every results screen uses: status, measured values, threshold verdicts, credential warnings. */
import type { CredentialWarning, RunStatus } from '../../../shared/domain/run';
import { exactMeasure, formatMeasure } from '../../lib/format';
import { thresholdLabel, type Verdict } from './thresholds';

const STATUS: Record<RunStatus, { icon: string; label: string }> = {
  success: { icon: '✓', label: 'Success' },
  error: { icon: '✗', label: 'Error' },
  cancelled: { icon: '⊘', label: 'Cancelled' },
  started: { icon: '…', label: 'Started (not finished)' },
};

/** A run's status in words with a sign; colour only adds to it. */
export function RunStatusBadge({ status, short }: { status: RunStatus; short?: boolean }) {
  const s = STATUS[status];
  const label = short ? s.label.replace(/ \(.*\)$/, '') : s.label;
  return (
    <span className={`badge badge--run-${status}`} title={label !== s.label ? s.label : undefined}>
      <span aria-hidden="true">{s.icon}</span> {label}
    </span>
  );
}

/** A value as measured; non-finite values read NaN, ∞ or −∞. The title holds the unrounded value. */
export function MeasureText({ value }: { value: number }) {
  const shown = formatMeasure(value);
  const exact = exactMeasure(value);
  return (
    <span className={`measure ${Number.isFinite(value) ? '' : 'measure--nonfinite'}`} title={exact !== shown ? exact : undefined}>
      {shown}
    </span>
  );
}

/** "0.41 ± 0.05". */
export function ValueWithError({ value, stderr }: { value: number; stderr?: number | null | undefined }) {
  return (
    <span className="value-with-error">
      <MeasureText value={value} />
      {stderr !== undefined && stderr !== null && (
        <span className="muted">
          {' '}
          ± <MeasureText value={stderr} />
        </span>
      )}
    </span>
  );
}

/** "✓ meets ≥ 0.35" or "✗ misses ≥ 0.35": words and a sign, never colour alone. */
export function VerdictBadge({ verdict, compact }: { verdict: Verdict; compact?: boolean }) {
  const word = verdict.meets ? 'meets' : 'misses';
  return (
    <span
      className={`badge ${verdict.meets ? 'badge--meets' : 'badge--misses'}`}
      title={`${word === 'meets' ? 'Meets' : 'Misses'} the threshold ${thresholdLabel(verdict.threshold)}`}
    >
      <span aria-hidden="true">{verdict.meets ? '✓' : '✗'}</span> {word}
      {!compact && <span className="badge-detail"> {thresholdLabel(verdict.threshold)}</span>}
    </span>
  );
}

/** Credential-shaped strings found in a log: shown first and loudly, with where they are. */
export function CredentialWarnings({ warnings, file }: { warnings: readonly CredentialWarning[]; file?: string }) {
  if (warnings.length === 0) return null;
  return (
    <div className="credential-warning" role="alert">
      <p className="credential-warning-title">
        <span aria-hidden="true">⚠ </span>
        Credential-shaped strings found{file ? ` in ${file}` : ''}
      </p>
      <ul>
        {warnings.map((w, i) => (
          <li key={i}>
            <strong>{w.kind}</strong> at <span className="mono break">{w.where}</span> (<span className="mono">{w.preview}</span>)
          </li>
        ))}
      </ul>
      <p className="muted-on-warning">They stay in the workspace; exporting a bundle with them will ask you to redact or confirm first.</p>
    </div>
  );
}
