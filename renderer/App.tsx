import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Toasts } from './components/Toasts';
import { MainLayout } from './features/shell/MainLayout';
import { FirstRun } from './features/workspace/FirstRun';
import { GateLayout } from './features/workspace/GateLayout';
import { Unlock } from './features/workspace/Unlock';
import { Welcome } from './features/workspace/Welcome';
import { DamagedWorkspace } from './features/backup/DamagedWorkspace';
import { forgetWorkspaceData } from './stores/forgetWorkspaceData';
import { useWorkspaceStore } from './stores/workspaceStore';
import { subscribe } from './lib/api';

/** Which screen: first run, unlock, the one-time welcome, or the workspace. */
function Screen() {
  const { status, loadError, welcome, load, lockedForIdle } = useWorkspaceStore(
    useShallow((s) => ({ status: s.status, loadError: s.loadError, welcome: s.welcome, load: s.load, lockedForIdle: s.lockedForIdle })),
  );
  useEffect(() => void load(), [load]);
  // An encrypted workspace locks itself after idle time: show the unlock screen at once.
  useEffect(
    () =>
      subscribe('workspace:locked', (e) => {
        forgetWorkspaceData();
        void lockedForIdle(e.after_ms);
      }),
    [lockedForIdle],
  );

  if (loadError) {
    return (
      <GateLayout>
        <h1>EvalNotes cannot open the workspace</h1>
        <p className="form-error" role="alert">
          {loadError}
        </p>
        <div className="button-row button-row--end">
          <button type="button" className="button button--primary" onClick={() => void load()}>
            Try again
          </button>
        </div>
      </GateLayout>
    );
  }
  if (!status) {
    return (
      <GateLayout>
        <p role="status">Opening the workspace…</p>
      </GateLayout>
    );
  }
  if (welcome) return <Welcome identity={welcome} />;
  if (status.state === 'damaged') return <DamagedWorkspace status={status} />;
  if (status.state === 'uninitialized') return <FirstRun />;
  if (status.state === 'locked') return <Unlock identity={status.identity} />;
  return <MainLayout />;
}

export function App() {
  return (
    <>
      <Screen />
      <Toasts />
    </>
  );
}
