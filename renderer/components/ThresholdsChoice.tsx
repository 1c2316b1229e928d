/**
 * "Include thresholds", off unless ticked, with the warning every way out of
 * the machine shows (export, report): thresholds are the engagement's most
 * sensitive local data.
 */
export function ThresholdsChoice({ checked, disabled, onChange, into }: { checked: boolean; disabled: boolean; onChange: (checked: boolean) => void; into: 'bundle' | 'report' }) {
  return (
    <div className="threshold-choice">
      <label className="choice-inline">
        <input type="checkbox" checked={checked} disabled={disabled} onChange={(ev) => onChange(ev.target.checked)} />
        Include thresholds
      </label>
      {checked && (
        <p className="sensitive-notice" role="alert">
          <span className="sensitive-notice-title">
            <span aria-hidden="true">⚠ </span>Thresholds are sensitive
          </span>
          They will leave this machine inside the {into}, readable by anyone who receives it. Include them only if you were asked to.
        </p>
      )}
    </div>
  );
}
