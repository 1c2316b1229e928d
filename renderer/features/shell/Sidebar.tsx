import { useRef, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Engagement } from '../../../shared/domain/engagement';
import { reviewWindow } from '../../../shared/reviewWindow';
import { ThemeToggle } from '../../components/ThemeToggle';
import { errorMessage } from '../../lib/api';
import { shortcutLabel } from '../../lib/keys';
import { routeHash } from '../../lib/route';
import { useToday } from '../../lib/useToday';
import { useEngagementsStore } from '../../stores/engagementsStore';
import { forgetWorkspaceData } from '../../stores/forgetWorkspaceData';
import { usePaletteStore } from '../../stores/paletteStore';
import { useUiStore } from '../../stores/uiStore';
import { useWorkspaceStore } from '../../stores/workspaceStore';
import { WindowLabel } from '../engagements/WindowLabel';
import { BackupButton } from '../backup/BackupDialog';

function EngagementLink({ e, today, current, tabbable }: { e: Engagement; today: string; current: boolean; tabbable: boolean }) {
  const closed = e.status === 'closed';
  const win = reviewWindow(e.access_start, e.window_days, today);
  const urgent = win.urgent && !closed;
  return (
    <li>
      <a
        href={routeHash({ page: 'engagement', id: e.id })}
        className={`eng-item ${current ? 'is-current' : ''} ${urgent ? 'is-urgent' : ''} ${closed ? 'is-closed' : ''}`}
        aria-current={current ? 'page' : undefined}
        tabIndex={tabbable ? 0 : -1}
        data-engagement-link
      >
        <span className="eng-title">
          {e.model} {e.model_version}
        </span>
        <span className="eng-developer">{e.developer}</span>
        <span className="eng-window">
          <WindowLabel window={win} closed={closed} />
        </span>
      </a>
    </li>
  );
}

/**
 * The list of engagements, one tab stop: Arrow Up/Down (and Home/End) move
 * between entries, Enter opens one. Closed engagements sit in their own group.
 */
function EngagementList() {
  const today = useToday();
  const { items, selectedId } = useEngagementsStore(useShallow((s) => ({ items: s.items, selectedId: s.selectedId })));
  const nav = useRef<HTMLDivElement>(null);
  const open = items.filter((e) => e.status !== 'closed');
  const closed = items.filter((e) => e.status === 'closed');
  // The roving tab stop: the open engagement if it is listed, else the first entry.
  const tabStop = items.some((e) => e.id === selectedId) ? selectedId : (open[0] ?? closed[0])?.id;

  function onKeyDown(ev: KeyboardEvent<HTMLDivElement>) {
    const links = Array.from(nav.current?.querySelectorAll<HTMLAnchorElement>('[data-engagement-link]') ?? []);
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (at < 0 || links.length === 0) return;
    const next = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: links.length - 1 }[ev.key];
    if (next === undefined) return;
    ev.preventDefault();
    links[Math.max(0, Math.min(links.length - 1, next))]?.focus();
  }

  if (items.length === 0) return <p className="sidebar-empty">No engagements yet.</p>;
  const group = (label: string, list: Engagement[]) =>
    list.length > 0 && (
      <>
        <h2 className="sidebar-heading" id={`group-${label}`}>
          {label} <span className="count">{list.length}</span>
        </h2>
        <ul className="eng-list" aria-labelledby={`group-${label}`}>
          {list.map((e) => (
            <EngagementLink key={e.id} e={e} today={today} current={e.id === selectedId} tabbable={e.id === tabStop} />
          ))}
        </ul>
      </>
    );
  return (
    <div ref={nav} onKeyDown={onKeyDown}>
      {group('Current', open)}
      {group('Closed', closed)}
    </div>
  );
}

function IdentityFooter() {
  const { identity, lock } = useWorkspaceStore(useShallow((s) => ({ identity: s.status?.identity ?? null, lock: s.lock })));
  const { notify } = useUiStore(useShallow((s) => ({ notify: s.notify })));
  async function onLock() {
    try {
      await lock();
      forgetWorkspaceData();
    } catch (err) {
      notify('error', errorMessage(err));
    }
  }
  return (
    <section className="sidebar-footer" aria-label="Your identity and settings">
      {identity && (
        <div className="identity" title={`Key fingerprint ${identity.fingerprint}`}>
          <span className="identity-name">{identity.name}</span>
          <span className="identity-meta">
            <span className="capitalize">{identity.role}</span> · {identity.org}
          </span>
        </div>
      )}
      <div className="sidebar-footer-actions">
        <ThemeToggle />
        <BackupButton />
        <button type="button" className="button button--ghost button--small" onClick={() => void onLock()}>
          Lock
        </button>
      </div>
    </section>
  );
}

/** Screens that belong to the workspace rather than to one engagement. */
function WorkspaceNav() {
  const route = useUiStore((s) => s.route.page);
  const supervisor = useWorkspaceStore((s) => s.status?.identity?.role === 'supervisor');
  // A supervisor's home is the dashboard.
  const page = supervisor && route === 'home' ? 'dashboard' : route;
  const link = (to: 'dashboard' | 'bundles' | 'keys', label: string) => (
    <li>
      <a href={routeHash({ page: to })} className={`workspace-link ${page === to ? 'is-current' : ''}`} aria-current={page === to ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
  return (
    <nav className="workspace-nav" aria-label="Workspace">
      <ul>
        {link('dashboard', 'Dashboard')}
        {link('bundles', 'Bundles')}
        {link('keys', 'Keys')}
      </ul>
    </nav>
  );
}

export function Sidebar() {
  const navigate = useUiStore((s) => s.navigate);
  const showPalette = usePaletteStore((s) => s.show);
  return (
    <div className="sidebar">
      <nav className="sidebar-nav" aria-label="Engagements">
        <div className="sidebar-top">
          <p className="brand">
            <span className="brand-mark" aria-hidden="true">
              EN
            </span>{' '}
            EvalNotes
          </p>
          <button
            type="button"
            className="button button--primary button--block"
            onClick={() => navigate({ page: 'new' })}
            aria-keyshortcuts="Control+N Meta+N"
            title={`New engagement (${shortcutLabel('N')})`}
          >
            <span aria-hidden="true">+</span> New engagement <kbd className="kbd-on-primary">{shortcutLabel('N')}</kbd>
          </button>
          <button
            type="button"
            className="button button--block search-button"
            onClick={showPalette}
            aria-keyshortcuts="Control+K Meta+K"
            title={`Search findings, notes and samples (${shortcutLabel('K')})`}
          >
            <span aria-hidden="true">⌕</span> Search <kbd>{shortcutLabel('K')}</kbd>
          </button>
        </div>
        <div className="sidebar-scroll">
          <EngagementList />
        </div>
      </nav>
      <WorkspaceNav />
      <IdentityFooter />
    </div>
  );
}
