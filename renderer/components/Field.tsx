import type { InputHTMLAttributes, ReactNode, Ref } from 'react';

type FieldProps = {
  id: string;
  label: string;
  /** Always-visible help under the input, linked with aria-describedby. */
  hint?: ReactNode;
  /** What is wrong with this input, shown next to it (the form's alert says it too). */
  error?: string | null | undefined;
  /** Marks the input invalid and links it to a message elsewhere (for example the form's alert). */
  errorId?: string | undefined;
  optional?: boolean;
  className?: string;
  inputRef?: Ref<HTMLInputElement>;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'className'>;

/** A labelled input with its hint; the label is a real <label for>, so clicking it focuses the input. */
export function Field({ id, label, hint, error, errorId, optional, className, inputRef, ...input }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const ownErrorId = error ? `${id}-error` : undefined;
  const describedBy = [ownErrorId, errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>
        {label}
        {optional && <span className="field-optional"> (optional)</span>}
      </label>
      <input ref={inputRef} id={id} aria-describedby={describedBy} aria-invalid={error || errorId ? true : undefined} {...input} />
      {error && <FieldError id={ownErrorId} message={error} />}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** The problem with one input, in words and with a sign (never colour alone). */
export function FieldError({ id, message }: { id: string | undefined; message: string }) {
  return (
    <p id={id} className="field-error">
      <span aria-hidden="true">⚠ </span>
      {message.charAt(0).toUpperCase() + message.slice(1)}
    </p>
  );
}
