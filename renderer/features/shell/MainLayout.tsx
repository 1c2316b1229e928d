import { useCallback, useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Engagement } from '../../../shared/domain/engagement';
import { HandlingBanner } from '../../components/HandlingBanner';
import { hasCommandModifier } from '../../lib/keys';
import { routeEngagementId, routeHash } from '../../lib/route';
import { followEngagements, useEngagementsStore } from '../../stores/engagementsStore';
import { followFindings } from '../../stores/findingsStore';
import { followImports } from '../../stores/importsStore';
import { useKeysStore } from '../../stores/keysStore';
import { followNotes } from '../../stores/notesStore';
import { followReviews } from '../../stores/reviewsStore';
import { usePaletteStore } from '../../stores/paletteStore';
import { followRuns } from '../../stores/runsStore';
import { followThresholds } from '../../stores/thresholdsStore';
import { useUiStore } from '../../stores/uiStore';
import { useWorkspaceStore } from '../../stores/workspaceStore';
import { BundlesPage } from '../bundles/BundlesPage';
import { DashboardPage } from '../dashboard/DashboardPage';
import { EngagementForm } from '../engagements/EngagementForm';
import { EngagementPage } from '../engagements/EngagementPage';
import { EmptyState, Overview } from '../engagements/Home';
import { FindingPage } from '../findings/FindingPage';
import { FindingsView } from '../findings/FindingsView';
import { NewFindingForm } from '../findings/NewFindingForm';
import { KeysPage } from '../keys/KeysPage';
import { JournalView } from '../notes/JournalView';
import { RunPage } from '../results/RunPage';
import { DeterminationPage } from '../reviews/DeterminationPage';
import { RunsView } from '../results/RunsView';
import { ThresholdsView } from '../results/ThresholdsView';
import { SearchPalette } from '../search/SearchPalette';
import { Sidebar } from './Sidebar';

function NotFound() {
  const navigate = useUiStore((s) => s.navigate);
  return (
    <section className="page empty-state" aria-labelledby="not-found-title">
      <h1 id="not-found-title">This engagement is not in this workspace</h1>
      <p>It may have been opened from an old link. Choose one from the list instead.</p>
      <div className="button-row">
        <button type="button" className="button" onClick={() => navigate({ page: 'home' })}>
          Show all engagements
        </button>
      </div>
    </section>
  );
}

/**
 * The unlocked workspace: the marking framing the screen (when an engagement is
 * open), the engagement list on the left, the open page on the right.
 */
export function MainLayout() {
  const { route, navigate, leaveForm, notify } = useUiStore(
    useShallow((s) => ({ route: s.route, navigate: s.navigate, leaveForm: s.leaveForm, notify: s.notify })),
  );
  const { items, loaded, select } = useEngagementsStore(useShallow((s) => ({ items: s.items, loaded: s.loaded, select: s.select })));
  const main = useRef<HTMLElement>(null);
  const myKey = useWorkspaceStore((s) => s.status?.identity?.key_id);
  const supervisor = useWorkspaceStore((s) => s.status?.identity?.role === 'supervisor');
  const routeId = routeEngagementId(route);
  const current = routeId ? items.find((e) => e.id === routeId) : undefined;

  useEffect(() => followEngagements(), []);
  useEffect(() => followRuns(), []);
  useEffect(() => followThresholds(), []);
  useEffect(() => followFindings(), []);
  useEffect(() => followNotes(), []);
  useEffect(() => followReviews(), []);
  // Import jobs keep reporting while the person looks at other screens.
  useEffect(() => followImports(), []);
  // Every record view names its author from the keys (own key and trust store).
  useEffect(() => void useKeysStore.getState().load(), []);
  // Each page starts at its top; <main> is one scroller shared by all pages.
  const pageKey = routeHash(route);
  useEffect(() => {
    main.current?.scrollTo({ top: 0 });
  }, [pageKey]);
  useEffect(() => select(routeId), [routeId, select]);

  // Ctrl/Cmd+N anywhere opens the create form (a browser tab may keep Ctrl+N for itself; the button is always there).
  // Not from inside a form, where it would throw away what was typed.
  const inForm = route.page === 'new' || route.page === 'edit';
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (inForm) return;
      if (hasCommandModifier(e) && !e.shiftKey && e.key.toLowerCase() === 'n' && !document.querySelector('dialog[open]')) {
        e.preventDefault();
        navigate({ page: 'new' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate, inForm]);

  // Ctrl/Cmd+K anywhere, even while writing in an editor, opens the search palette.
  const showPalette = usePaletteStore((s) => s.show);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (hasCommandModifier(e) && !e.shiftKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        showPalette();
      }
    };
    // Capture: editors handle their own keys first otherwise, and some stop the event.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [showPalette]);

  const onSaved = useCallback(
    (e: Engagement) => {
      notify('info', `Saved ${e.model} ${e.model_version}.`);
      navigate({ page: 'engagement', id: e.id });
    },
    [navigate, notify],
  );

  let page;
  if (!loaded) page = <p role="status" className="page muted">Loading engagements…</p>;
  else if (route.page === 'bundles') page = <BundlesPage />;
  else if (route.page === 'keys') page = <KeysPage />;
  else if (route.page === 'dashboard') page = <DashboardPage />;
  else if (route.page === 'new') page = <EngagementForm key="new" onSaved={onSaved} onCancel={leaveForm} />;
  else if (route.page === 'edit' && current)
    page = <EngagementForm key={`edit-${current.id}`} engagement={current} onSaved={onSaved} onCancel={leaveForm} />;
  else if (route.page === 'runs' && current) page = <RunsView key={`runs-${current.id}`} engagement={current} />;
  else if (route.page === 'thresholds' && current) page = <ThresholdsView key={`thresholds-${current.id}`} engagement={current} myKey={myKey} />;
  else if (route.page === 'run' && current)
    page = <RunPage key={`run-${route.runId}`} engagement={current} runId={route.runId} sampleId={route.sampleId} />;
  else if (route.page === 'findings' && current)
    page = <FindingsView key={routeHash(route)} engagement={current} severity={route.severity} status={route.status} />;
  else if (route.page === 'determination' && current) page = <DeterminationPage key={`determination-${current.id}`} engagement={current} />;
  else if (route.page === 'newFinding' && current) page = <NewFindingForm key={`new-finding-${current.id}`} engagement={current} />;
  else if (route.page === 'finding' && current)
    page = <FindingPage key={`finding-${route.findingId}`} engagement={current} findingId={route.findingId} revision={route.revision} />;
  else if (route.page === 'journal' && current) page = <JournalView key={`journal-${current.id}`} engagement={current} />;
  else if (current) page = <EngagementPage engagement={current} />;
  else if (routeId) page = <NotFound />;
  // A supervisor's home is the dashboard: every engagement at a glance.
  else if (supervisor && items.length > 0) page = <DashboardPage />;
  else page = items.length === 0 ? <EmptyState /> : <Overview />;

  const marking = current?.handling;
  return (
    <div className={`shell ${marking ? 'shell--marked' : ''}`}>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          // The hash is the router's; move focus without touching it.
          e.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to main content
      </a>
      {marking && (
        <header className="shell-marking shell-marking--top">
          <HandlingBanner handling={marking} edge="top" />
        </header>
      )}
      <Sidebar />
      <main id="main" ref={main} tabIndex={-1} className="shell-main">
        {page}
      </main>
      {marking && (
        <footer className="shell-marking shell-marking--bottom">
          <HandlingBanner handling={marking} edge="bottom" />
        </footer>
      )}
      <SearchPalette />
    </div>
  );
}
