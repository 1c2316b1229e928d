import type { ReactNode } from 'react';

/** The centred card used before the workspace is open: first run, welcome, unlock. */
export function GateLayout({ children, wide }: { children: ReactNode; wide?: boolean }) {
  return (
    <main id="main" className="gate">
      <div className={`gate-card ${wide ? 'gate-card--wide' : ''}`}>
        <p className="brand" aria-hidden="true">
          <span className="brand-mark">EN</span> EvalNotes
        </p>
        {children}
      </div>
    </main>
  );
}

/** Shown while scrypt runs (about a second): the button alone going grey looks like a hang. */
export function KeyDerivationProgress({ text }: { text: string }) {
  return (
    <div className="progress-line" role="status">
      <progress aria-label={text} />
      <span>{text}</span>
    </div>
  );
}
