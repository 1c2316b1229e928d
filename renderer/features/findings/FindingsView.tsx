import { useEffect, useState } from 'react';
import type { Engagement } from '../../../shared/domain/engagement';
import { FindingKind, Severity, ShownStatus } from '../../../shared/domain/finding';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { useUiStore } from '../../stores/uiStore';
import { ExportDialog } from '../bundles/ExportDialog';
import { EngagementFrame } from '../results/EngagementFrame';
import { KIND_LABEL, SEVERITY_LABEL } from './detailsForm';
import { FindingsTable, type FindingQuery } from './FindingsTable';
import { STATUS_LABEL } from './statusActions';

const TAG_DELAY_MS = 300;

/** A <select> whose first option means "any". */
function FilterSelect<T extends string>({ id, label, value, options, labels, onChange }: { id: string; label: string; value: T | undefined; options: readonly T[]; labels: Record<T, string>; onChange: (v: T | undefined) => void }) {
  return (
    <div className="field field--inline">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? undefined : (e.target.value as T))}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {labels[o]}
          </option>
        ))}
      </select>
    </div>
  );
}

/** An engagement's findings: filters (the first ones may come from the address, e.g. a dashboard count), the table, and a new finding. */
export function FindingsView({ engagement: e, severity, status }: { engagement: Engagement; severity?: Severity | undefined; status?: ShownStatus | undefined }) {
  const heading = useFocusHeading<HTMLHeadingElement>(`findings-${e.id}`);
  const navigate = useUiStore((s) => s.navigate);
  const [query, setQuery] = useState<FindingQuery>({ engagementId: e.id, sort: 'updated', descending: true, ...(severity ? { severity } : {}), ...(status ? { status } : {}) });
  const [tagDraft, setTagDraft] = useState('');
  const [exporting, setExporting] = useState(false);

  useEffect(() => {
    const timer = window.setTimeout(() => {
      const tag = tagDraft.trim();
      setQuery((q) => {
        if ((q.tag ?? '') === tag) return q;
        const { tag: _old, ...rest } = q;
        return tag ? { ...rest, tag } : rest;
      });
    }, TAG_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [tagDraft]);

  function filter<K extends 'kind' | 'severity' | 'status'>(key: K, value: FindingQuery[K] | undefined) {
    setQuery((q) => {
      const next: FindingQuery = { ...q };
      if (value) next[key] = value;
      else delete next[key];
      return next;
    });
  }

  function sortBy(sort: FindingQuery['sort']) {
    // A new column starts with its most useful end: newest, most severe, A→Z.
    setQuery((q) => ({ ...q, sort, descending: q.sort === sort ? !q.descending : sort !== 'title' }));
  }

  return (
    <EngagementFrame
      engagement={e}
      section="findings"
      headingRef={heading}
      actions={
        <>
          <button type="button" className="button" onClick={() => setExporting(true)}>
            Export bundle…
          </button>
          <button type="button" className="button button--primary" onClick={() => navigate({ page: 'newFinding', id: e.id })}>
            <span aria-hidden="true">+</span> New finding
          </button>
        </>
      }
    >
      <ExportDialog engagement={e} open={exporting} onClose={() => setExporting(false)} />
      <section aria-labelledby="findings-title" className="findings-section">
        <h2 id="findings-title" className="section-title">
          Findings
        </h2>
        <div className="table-toolbar findings-filters" role="search" aria-label="Filter findings">
          <FilterSelect id="filter-kind" label="Kind" value={query.kind} options={FindingKind.options} labels={KIND_LABEL} onChange={(v) => filter('kind', v)} />
          <FilterSelect id="filter-severity" label="Severity" value={query.severity} options={Severity.options} labels={SEVERITY_LABEL} onChange={(v) => filter('severity', v)} />
          <FilterSelect id="filter-status" label="Status" value={query.status} options={ShownStatus.options} labels={STATUS_LABEL} onChange={(v) => filter('status', v)} />
          <div className="field field--inline">
            <label htmlFor="filter-tag">Tag</label>
            <input id="filter-tag" type="search" value={tagDraft} onChange={(ev) => setTagDraft(ev.target.value)} placeholder="Any tag" />
          </div>
        </div>
        <FindingsTable query={query} onSort={sortBy} />
      </section>
    </EngagementFrame>
  );
}
