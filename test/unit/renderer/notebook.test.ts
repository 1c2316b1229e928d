/** The renderer's pure notebook logic: status moves, form checks, routes, snippets and autosave. */
import { describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../../shared/domain/finding';
import { MARK_END, MARK_START } from '../../../shared/domain/search';
import { detailsChanges, valuesFrom } from '../../../renderer/features/findings/detailsForm';
import { REMEDIATED_NEEDS_VALIDATION, statusActions } from '../../../renderer/features/findings/statusActions';
import { Autosaver, type SaveState, type Timers } from '../../../renderer/features/notes/autosave';
import { snippetPieces } from '../../../renderer/features/search/snippet';
import { parseRoute, routeHash, type Route } from '../../../renderer/lib/route';

const ID = '0190a7b2-0000-7000-8000-000000000001';
const ID2 = '0190a7b2-0000-7000-8000-000000000002';
const ID3 = '0190a7b2-0000-7000-8000-000000000003';

describe('status buttons follow the author lifecycle', () => {
  const moves = (s: Parameters<typeof statusActions>[0], shown: Parameters<typeof statusActions>[1]) =>
    statusActions(s, shown).map((a) => `${a.to}${a.disabledReason ? ' (disabled)' : ''}`);

  it('offers exactly the legal moves from each status', () => {
    expect(moves('draft', 'draft')).toEqual(['submitted', 'withdrawn', 'remediated (disabled)']);
    expect(moves('submitted', 'submitted')).toEqual(['draft', 'withdrawn', 'remediated (disabled)']);
    expect(moves('withdrawn', 'withdrawn')).toEqual(['draft', 'remediated (disabled)']);
    expect(moves('remediated', 'remediated')).toEqual([]);
  });

  it('enables remediated only once a supervisor has validated the finding, and says why otherwise', () => {
    expect(moves('submitted', 'validated')).toEqual(['draft', 'withdrawn', 'remediated']);
    const blocked = statusActions('submitted', 'rejected').find((a) => a.to === 'remediated');
    expect(blocked?.disabledReason).toBe(REMEDIATED_NEEDS_VALIDATION);
  });

  it('never offers validated or rejected, which only a review sets', () => {
    for (const s of ['draft', 'submitted', 'withdrawn', 'remediated'] as const) {
      for (const a of statusActions(s, 'draft')) expect(['validated', 'rejected']).not.toContain(a.to);
    }
  });
});

function finding(over: Partial<Finding> = {}): Finding {
  return {
    type: 'finding',
    id: ID,
    author: 'a'.repeat(64),
    revision: 3,
    created_at: '2026-03-12T09:00:00.000Z',
    updated_at: '2026-03-12T09:30:00.000Z',
    deleted: false,
    engagement_id: ID2,
    title: 'Chains two bugs',
    kind: 'software-vulnerability',
    severity: 'critical',
    description: '',
    reproduction: '',
    impact: '',
    remediation: '',
    cwe: [{ id: 'CWE-78', name: 'OS Command Injection' }],
    atlas: [],
    tags: ['ics'],
    evidence: [],
    status: 'draft',
    cvss: { vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', score: 9.3, rating: 'Critical' },
    ...over,
  };
}

describe('the details form turns edits into a partial change', () => {
  it('sends nothing when nothing changed', () => {
    const f = finding();
    expect(detailsChanges(f, valuesFrom(f))).toEqual({ changes: {}, errors: {} });
  });

  it('sends only the fields that changed, normalised', () => {
    const f = finding();
    const v = { ...valuesFrom(f), title: '  Chains two bugs in an ICS UI ', cwe: [...valuesFrom(f).cwe, { id: 'cwe-287', name: '' }], cve: 'cve-2026-12345' };
    expect(detailsChanges(f, v)).toEqual({
      changes: { title: 'Chains two bugs in an ICS UI', cwe: [{ id: 'CWE-78', name: 'OS Command Injection' }, { id: 'CWE-287' }], cve_id: 'CVE-2026-12345' },
      errors: {},
    });
  });

  it('clears the CVSS vector with null when the box is emptied', () => {
    const f = finding();
    expect(detailsChanges(f, { ...valuesFrom(f), cvss: ' ' }).changes).toEqual({ cvss_vector: null });
  });

  it('names the field that is wrong and sends nothing for it', () => {
    const f = finding();
    const { changes, errors } = detailsChanges(f, {
      ...valuesFrom(f),
      title: '',
      cvss: 'CVSS:3.1/AV:N',
      cwe: [{ id: 'CWE-ABC', name: '' }],
      atlas: ['T0051'],
      tags: ['two words'],
      cve: 'CVE-26-1',
    });
    expect(Object.keys(errors).sort()).toEqual(['atlas', 'cve', 'cvss', 'cwe', 'tags', 'title']);
    expect(errors.cvss).toContain('CVSS:4.0/');
    expect(errors.atlas).toContain('T0051');
    expect(changes).toEqual({});
  });

  it('asks for a product before a vendor or version, and ignores affected software for other kinds', () => {
    const f = finding();
    expect(detailsChanges(f, { ...valuesFrom(f), vendor: 'Acme' }).errors.product).toMatch(/product/);
    expect(detailsChanges(f, { ...valuesFrom(f), vendor: 'Acme', product: 'PLC Web', version: '2.1' }).changes).toEqual({
      affected: { vendor: 'Acme', product: 'PLC Web', version: '2.1' },
    });
    const capability = finding({ kind: 'capability' });
    expect(detailsChanges(capability, { ...valuesFrom(capability), product: 'ignored', cve: 'nonsense' })).toEqual({ changes: {}, errors: {} });
  });
});

describe('routes for the notebook', () => {
  const routes: Route[] = [
    { page: 'findings', id: ID },
    { page: 'newFinding', id: ID },
    { page: 'finding', id: ID, findingId: ID2 },
    { page: 'finding', id: ID, findingId: ID2, revision: 4 },
    { page: 'journal', id: ID },
    { page: 'run', id: ID, runId: ID2 },
    { page: 'run', id: ID, runId: ID2, sampleId: ID3 },
  ];
  it.each(routes.map((r) => [routeHash(r), r] as const))('%s round-trips', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('sends an unknown or malformed address home', () => {
    expect(parseRoute(`#/engagements/${ID}/findings/${ID2}/revisions/0`)).toEqual({ page: 'home' });
    expect(parseRoute(`#/engagements/${ID}/findings/not-an-id`)).toEqual({ page: 'home' });
  });
});

describe('search snippets', () => {
  it('splits marked words from plain text without parsing anything as HTML', () => {
    const s = `…the ${MARK_START}ladder${MARK_END} <b>logic</b> in ${MARK_START}ladder${MARK_END}…`;
    expect(snippetPieces(s)).toEqual([
      { text: '…the ', marked: false },
      { text: 'ladder', marked: true },
      { text: ' <b>logic</b> in ', marked: false },
      { text: 'ladder', marked: true },
      { text: '…', marked: false },
    ]);
  });

  it('keeps a snippet without marks whole, and an empty one empty', () => {
    expect(snippetPieces('plain')).toEqual([{ text: 'plain', marked: false }]);
    expect(snippetPieces('')).toEqual([]);
  });
});

/** Timers the test fires by hand: no waiting, no wall clock. */
function manualTimers() {
  let next = 1;
  const pending = new Map<number, { fn: () => void; ms: number }>();
  const timers: Timers = {
    set: (fn, ms) => {
      const id = next++;
      pending.set(id, { fn, ms });
      return id;
    },
    clear: (id) => void pending.delete(id as number),
  };
  return {
    timers,
    pending,
    fire() {
      const all = [...pending.entries()];
      pending.clear();
      for (const [, t] of all) t.fn();
    },
  };
}

/** A save that resolves only when the test says so. */
function heldSaves() {
  const calls: { value: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const save = vi.fn(
    (value: string) =>
      new Promise<void>((resolve, reject) => {
        calls.push({ value, resolve, reject });
      }),
  );
  return { save, calls };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('autosave', () => {
  it('saves the newest text once the typing pauses, within its delay (at most 800 ms)', async () => {
    const t = manualTimers();
    const { save, calls } = heldSaves();
    const states: SaveState['kind'][] = [];
    const saver = new Autosaver<string>({ save, delayMs: 600, onState: (s) => states.push(s.kind), describeError: () => 'x', timers: t.timers });
    saver.change('H');
    saver.change('He');
    saver.change('Hel');
    expect([...t.pending.values()].map((p) => p.ms)).toEqual([600]);
    expect(save).not.toHaveBeenCalled();
    t.fire();
    expect(calls.map((c) => c.value)).toEqual(['Hel']);
    calls[0]?.resolve();
    await settle();
    expect(states.at(-1)).toBe('saved');
    expect(saver.dirty).toBe(false);
  });

  it('flushes at once (blur, route change, closing) and never runs two saves at the same time', async () => {
    const t = manualTimers();
    const { save, calls } = heldSaves();
    const saver = new Autosaver<string>({ save, delayMs: 600, onState: () => {}, describeError: () => 'x', timers: t.timers });
    saver.change('first');
    const f1 = saver.flush();
    expect(calls.map((c) => c.value)).toEqual(['first']);
    expect(t.pending.size).toBe(0);
    // Typed while the first save is on its way: it waits, then the newest text goes.
    saver.change('first and more');
    saver.change('first and more still');
    const f2 = saver.flush();
    await settle();
    expect(calls).toHaveLength(1);
    expect(saver.dirty).toBe(true);
    calls[0]?.resolve();
    await f1;
    await settle();
    expect(calls.map((c) => c.value)).toEqual(['first', 'first and more still']);
    calls[1]?.resolve();
    await f2;
    expect(saver.dirty).toBe(false);
  });

  it('keeps a refused save as unsaved, says why, and sends it again with the next flush', async () => {
    const t = manualTimers();
    const { save, calls } = heldSaves();
    const states: SaveState[] = [];
    const saver = new Autosaver<string>({ save, delayMs: 600, onState: (s) => states.push(s), describeError: () => 'The service is away.', timers: t.timers });
    saver.change('text');
    const f = saver.flush();
    calls[0]?.reject(new Error('down'));
    await f;
    expect(states.at(-1)).toEqual({ kind: 'error', message: 'The service is away.' });
    expect(saver.dirty).toBe(true);
    const again = saver.flush();
    expect(calls.map((c) => c.value)).toEqual(['text', 'text']);
    calls[1]?.resolve();
    await again;
    expect(states.at(-1)).toEqual({ kind: 'saved' });
  });

  it('does nothing on a flush when nothing was typed', async () => {
    const { save } = heldSaves();
    const saver = new Autosaver<string>({ save, delayMs: 600, onState: () => {}, describeError: () => 'x', timers: manualTimers().timers });
    await saver.flush();
    expect(save).not.toHaveBeenCalled();
  });
});
