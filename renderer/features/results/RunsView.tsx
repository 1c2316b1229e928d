import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Engagement } from '../../../shared/domain/engagement';
import { useFileDrop } from '../../lib/useFileDrop';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { useImportsStore } from '../../stores/importsStore';
import { runListOf, useRunsStore } from '../../stores/runsStore';
import { thresholdListOf, useThresholdsStore } from '../../stores/thresholdsStore';
import { EngagementFrame } from './EngagementFrame';
import { ImportList } from './ImportPanel';
import { ManualRunForm } from './ManualRunForm';
import { RunsTable } from './RunsTable';

/**
 * An engagement's runs: import logs (drop them anywhere on this view, or
 * choose them), watch each import's progress while working on, add results by
 * hand, and the table of runs.
 */
export function RunsView({ engagement: e }: { engagement: Engagement }) {
  const heading = useFocusHeading<HTMLHeadingElement>(`runs-${e.id}`);
  const { list, refresh } = useRunsStore(useShallow((s) => ({ list: runListOf(s, e.id), refresh: s.refresh })));
  const { thresholds, refreshThresholds } = useThresholdsStore(
    useShallow((s) => ({ thresholds: thresholdListOf(s, e.id).items, refreshThresholds: s.refresh })),
  );
  const startImport = useImportsStore((s) => s.start);
  const [manual, setManual] = useState(false);
  const manualButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    void refresh(e.id);
    void refreshThresholds(e.id);
  }, [e.id, refresh, refreshThresholds]);

  const { dragging, handlers: drag } = useFileDrop((files) => void startImport(e.id, { kind: 'drop', files }));


  function closeManual() {
    setManual(false);
    requestAnimationFrame(() => manualButton.current?.focus());
  }

  return (
    <div className={`drop-area ${dragging ? 'is-drag-over' : ''}`} {...drag}>
      <EngagementFrame engagement={e} section="runs" headingRef={heading}>
        <section className={`drop-zone ${dragging ? 'is-drag-over' : ''}`} aria-labelledby="import-title" data-testid="drop-zone">
          <div>
            <h2 id="import-title" className="section-title">
              Import evaluation logs
            </h2>
            <p className="muted">
              {dragging
                ? 'Drop the files to import them.'
                : 'Drop Inspect logs (.eval, .json) or lm-eval results and samples files anywhere here, or choose them. You can keep working while they import.'}
            </p>
          </div>
          <div className="button-row">
            <button type="button" className="button button--primary" onClick={() => void startImport(e.id, { kind: 'pick' })}>
              Import logs…
            </button>
            <button ref={manualButton} type="button" className="button" aria-expanded={manual} onClick={() => setManual((m) => !m)}>
              Add results by hand
            </button>
          </div>
        </section>

        <ImportList engagementId={e.id} />

        {manual && <ManualRunForm engagementId={e.id} onDone={closeManual} />}

        <section aria-labelledby="runs-title" className="runs-section">
          <h2 id="runs-title" className="section-title">
            Runs
          </h2>
          {list.error && (
            <p className="form-error" role="alert">
              {list.error}
            </p>
          )}
          {!list.loaded ? (
            <p role="status" className="muted">
              Loading runs…
            </p>
          ) : list.items.length === 0 ? (
            <p className="muted">No runs yet. Import a log or add results by hand; they will be listed here.</p>
          ) : (
            <RunsTable runs={list.items} thresholds={thresholds} />
          )}
        </section>
      </EngagementFrame>
    </div>
  );
}
