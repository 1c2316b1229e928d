import { useShallow } from 'zustand/react/shallow';
import { fingerprintOf } from '../../../shared/domain/identity';
import { formatTimestamp, shortKey } from '../../lib/format';
import { useKeysStore } from '../../stores/keysStore';
import { describeAuthor, readOnlyReason, UNTRUSTED_FLAG, type Author } from './authors';

/** The author of a record from the keys store (loaded by the shell). */
export function useAuthor(keyId: string): Author {
  const { own, trusted } = useKeysStore(useShallow((s) => ({ own: s.own, trusted: s.trusted })));
  return describeAuthor(keyId, own, trusted);
}

/** A warning sign and words, never colour alone: this record's signer is no longer trusted. */
export function UntrustedFlag({ since }: { since: string }) {
  return (
    <span className="badge badge--untrusted" title={`Untrusted since ${formatTimestamp(since)}`}>
      <span aria-hidden="true">⚠</span> {UNTRUSTED_FLAG}
    </span>
  );
}

/** Who wrote a record: "You", a trusted name and role, a flagged name, or an unknown key (its short id). */
export function AuthorLabel({ keyId, compact }: { keyId: string; compact?: boolean }) {
  const a = useAuthor(keyId);
  const title = `Key ${fingerprintOf(keyId)}…`;
  switch (a.kind) {
    case 'you':
      return (
        <span className="author" title={title}>
          You
        </span>
      );
    case 'trusted':
      return (
        <span className="author" title={title}>
          {a.name} <span className="muted">({a.role})</span>
        </span>
      );
    case 'untrusted':
      return (
        <span className="author" title={title}>
          {a.name} <span className="muted">({a.role})</span> {compact ? (
            <span className="author-flag" title={UNTRUSTED_FLAG}>
              <span aria-hidden="true">⚠</span>
              <span className="visually-hidden">, {UNTRUSTED_FLAG}</span>
            </span>
          ) : (
            <UntrustedFlag since={a.since} />
          )}
        </span>
      );
    case 'unknown':
      return (
        <span className="author" title={title}>
          <span className="muted">Unknown key</span> <span className="mono">{shortKey(keyId)}</span>
        </span>
      );
  }
}

/**
 * Why a record someone else wrote cannot be edited here, in one sentence, with
 * the flag when its signer is no longer trusted. Renders nothing for one's own.
 */
export function ReadOnlyNotice({ keyId, what }: { keyId: string; what: string }) {
  const a = useAuthor(keyId);
  const reason = readOnlyReason(a, what);
  if (!reason) return null;
  return (
    <div className={`callout read-only-banner ${a.kind === 'untrusted' ? 'read-only-banner--untrusted' : ''}`} data-testid="read-only-notice">
      <p>{reason}</p>
      {a.kind === 'untrusted' && <UntrustedFlag since={a.since} />}
    </div>
  );
}
