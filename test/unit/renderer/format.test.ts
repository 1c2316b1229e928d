/** Spans as the unlock screen says them ("locked this workspace after 15 minutes without use"). */
import { describe, expect, it } from 'vitest';
import { formatSpan } from '../../../renderer/lib/format';

describe('formatSpan', () => {
  it('says a span in the largest whole unit, else in seconds', () => {
    expect(formatSpan(15 * 60_000)).toBe('15 minutes');
    expect(formatSpan(60_000)).toBe('1 minute');
    expect(formatSpan(3_000)).toBe('3 seconds');
    expect(formatSpan(1_000)).toBe('1 second');
    expect(formatSpan(90_000)).toBe('90 seconds');
    expect(formatSpan(3_600_000)).toBe('1 hour');
    expect(formatSpan(24 * 3_600_000)).toBe('24 hours');
    expect(formatSpan(2_400)).toBe('2 seconds');
  });
});
