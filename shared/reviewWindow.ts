import { addDays, dayNumber } from './dates';

export type Clock = { now(): Date };
export const systemClock: Clock = { now: () => new Date() };

export type WindowPhase = 'upcoming' | 'open' | 'closed';

export type ReviewWindow = {
  phase: WindowPhase;
  /** The text people read: DESIGN.md, "Review window". */
  label: string;
  deadline: string;
  /** Days until the deadline (negative once overdue). */
  daysLeft: number;
  /** The last seven days of an open window, and any overdue window. */
  urgent: boolean;
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * With start S, window W and today T (calendar dates in the user's time zone),
 * deadline D = S + W: T < S "starts in …"; S ≤ T < D "day N of W — K days left";
 * T ≥ D "window closed, overdue by …".
 */
export function reviewWindow(start: string, windowDays: number, today: string): ReviewWindow {
  const deadline = addDays(start, windowDays);
  const s = dayNumber(start);
  const t = dayNumber(today);
  const d = dayNumber(deadline);
  if (t < s) {
    return { phase: 'upcoming', label: `starts in ${plural(s - t, 'day')}`, deadline, daysLeft: d - t, urgent: false };
  }
  if (t < d) {
    const k = d - t;
    return {
      phase: 'open',
      label: `day ${t - s + 1} of ${windowDays} — ${plural(k, 'day')} left`,
      deadline,
      daysLeft: k,
      urgent: k <= 7,
    };
  }
  return { phase: 'closed', label: `window closed, overdue by ${plural(t - d, 'day')}`, deadline, daysLeft: d - t, urgent: true };
}

/** The planned release date, shown as a second deadline. */
export function releaseCountdown(releaseDate: string, today: string): string {
  const k = dayNumber(releaseDate) - dayNumber(today);
  if (k > 0) return `release in ${plural(k, 'day')}`;
  if (k === 0) return 'release today';
  return `released ${plural(-k, 'day')} ago`;
}
