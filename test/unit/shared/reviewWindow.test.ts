import { describe, expect, it } from 'vitest';
import { addDays, calendarDateIn } from '../../../shared/dates';
import { releaseCountdown, reviewWindow } from '../../../shared/reviewWindow';

// DESIGN.md, "Review window": S start, W window, T today, D = S + W.
describe('review window label', () => {
  it.each([
    // [case, start, window, today, label, phase, urgent]
    ['the day before the start', '2026-03-01', 30, '2026-02-28', 'starts in 1 day', 'upcoming', false],
    ['a week before the start', '2026-03-01', 30, '2026-02-22', 'starts in 7 days', 'upcoming', false],
    ['day 1', '2026-03-01', 30, '2026-03-01', 'day 1 of 30 — 30 days left', 'open', false],
    ['Ada on day 12', '2026-03-01', 30, '2026-03-12', 'day 12 of 30 — 19 days left', 'open', false],
    ['8 days left is not yet urgent', '2026-03-01', 30, '2026-03-23', 'day 23 of 30 — 8 days left', 'open', false],
    ['7 days left is urgent', '2026-03-01', 30, '2026-03-24', 'day 24 of 30 — 7 days left', 'open', true],
    ['the last day', '2026-03-01', 30, '2026-03-30', 'day 30 of 30 — 1 day left', 'open', true],
    ['the deadline day', '2026-03-01', 30, '2026-03-31', 'window closed, overdue by 0 days', 'closed', true],
    ['a day overdue', '2026-03-01', 30, '2026-04-01', 'window closed, overdue by 1 day', 'closed', true],
    ['across February in a leap year', '2028-02-15', 30, '2028-03-01', 'day 16 of 30 — 15 days left', 'open', false],
    ['across the year end', '2026-12-20', 30, '2027-01-02', 'day 14 of 30 — 17 days left', 'open', false],
    ['across the EU spring DST change (29 March)', '2026-03-20', 30, '2026-04-02', 'day 14 of 30 — 17 days left', 'open', false],
    ['across the US autumn DST change (1 November)', '2026-10-20', 30, '2026-11-03', 'day 15 of 30 — 16 days left', 'open', false],
    ['a 90-day window', '2026-01-01', 90, '2026-03-31', 'day 90 of 90 — 1 day left', 'open', true],
    ['a 1-day window', '2026-01-01', 1, '2026-01-01', 'day 1 of 1 — 1 day left', 'open', true],
  ] as const)('%s', (_case, start, w, today, label, phase, urgent) => {
    const win = reviewWindow(start, w, today);
    expect(win.label).toBe(label);
    expect(win.phase).toBe(phase);
    expect(win.urgent).toBe(urgent);
    expect(win.deadline).toBe(addDays(start, w));
  });

  it('reads today in the user time zone, not UTC', () => {
    // 23:30 UTC on 11 March is already 12 March in Tokyo and still 11 March in New York.
    const instant = new Date('2026-03-11T23:30:00Z');
    expect(calendarDateIn(instant, 'Asia/Tokyo')).toBe('2026-03-12');
    expect(calendarDateIn(instant, 'America/New_York')).toBe('2026-03-11');
    expect(reviewWindow('2026-03-01', 30, calendarDateIn(instant, 'Asia/Tokyo')).label).toBe('day 12 of 30 — 19 days left');
  });

  it('counts the release date as a second deadline', () => {
    expect(releaseCountdown('2026-04-15', '2026-03-12')).toBe('release in 34 days');
    expect(releaseCountdown('2026-03-12', '2026-03-12')).toBe('release today');
    expect(releaseCountdown('2026-03-10', '2026-03-12')).toBe('released 2 days ago');
  });
});
