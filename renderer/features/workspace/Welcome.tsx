import { Fragment } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Identity } from '../../../shared/domain/identity';
import { useWorkspaceStore } from '../../stores/workspaceStore';
import { GateLayout } from './GateLayout';

/** Shown once after first run: the fingerprint others will check this identity's bundles against. */
export function Welcome({ identity }: { identity: Identity }) {
  const { dismissWelcome } = useWorkspaceStore(useShallow((s) => ({ dismissWelcome: s.dismissWelcome })));
  return (
    <GateLayout>
      <h1>Your identity is ready</h1>
      <dl className="facts facts--compact">
        <dt>Name</dt>
        <dd>{identity.name}</dd>
        <dt>Organisation</dt>
        <dd>{identity.org}</dd>
        <dt>Role</dt>
        <dd className="capitalize">{identity.role}</dd>
      </dl>
      <h2 className="subheading">Key fingerprint</h2>
      <p className="fingerprint" data-testid="fingerprint">
        {/* Two rows of four groups; the spaces between keep it one readable string when copied. */}
        {identity.fingerprint.split(' ').map((group, i) => (
          <Fragment key={i}>
            {i > 0 && ' '}
            <span>{group}</span>
          </Fragment>
        ))}
      </p>
      <p className="muted">
        Whoever verifies your bundles checks them against this fingerprint. Read it out to your supervisor or the clearinghouse when
        they add your key to their trusted keys.
      </p>
      <div className="button-row button-row--end">
        <button type="button" className="button button--primary" autoFocus onClick={dismissWelcome}>
          Continue
        </button>
      </div>
    </GateLayout>
  );
}
