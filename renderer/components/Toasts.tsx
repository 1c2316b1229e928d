import { useShallow } from 'zustand/react/shallow';
import { useUiStore } from '../stores/uiStore';

/**
 * Notifications. The two live regions exist from the start (screen readers only
 * announce changes to regions already on the page); errors use role="alert".
 */
export function Toasts() {
  const { toasts, dismiss } = useUiStore(useShallow((s) => ({ toasts: s.toasts, dismiss: s.dismiss })));
  const render = (kind: 'info' | 'error') =>
    toasts
      .filter((t) => t.kind === kind)
      .map((t) => (
        <div key={t.id} className={`toast toast--${t.kind}`}>
          <span>{t.message}</span>
          <button type="button" className="button button--ghost button--small" onClick={() => dismiss(t.id)}>
            Dismiss
          </button>
        </div>
      ));
  return (
    <section className="toasts" aria-label="Notifications">
      <div role="status">{render('info')}</div>
      <div role="alert">{render('error')}</div>
    </section>
  );
}
