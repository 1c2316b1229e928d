import { describe, expect, it } from 'vitest';
import { PageFetcher, type PageOutcome } from '../../../renderer/lib/pageFetcher';

/** A fetcher whose requests wait until the test answers them, in any order. */
function harness() {
  const asked: { key: string; page: number; answer(rows: string): Promise<void>; fail(message: string): Promise<void> }[] = [];
  const shown: { key: string; page: number; outcome: PageOutcome<string> }[] = [];
  const settled = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  const fetcher = new PageFetcher<string>(
    (key, page) =>
      new Promise<string>((resolve, reject) => {
        asked.push({
          key,
          page,
          answer: (rows) => (resolve(rows), settled()),
          fail: (message) => (reject(new Error(message)), settled()),
        });
      }),
    (key, page, outcome) => shown.push({ key, page, outcome }),
  );
  const pagesAsked = () => asked.map((a) => `${a.key}:${a.page}`);
  return { fetcher, asked, shown, pagesAsked };
}

describe('the findings table’s page fetcher', () => {
  it('asks for one page at a time, and after a fling only for the pages now on screen', async () => {
    const { fetcher, asked, shown, pagesAsked } = harness();
    fetcher.query('q');
    expect(pagesAsked()).toEqual(['q:0']);

    // The list is flung to pages 40–41 and on to 250–251 while page 0 is on its way.
    fetcher.show(0, 1);
    fetcher.show(40, 41);
    fetcher.show(250, 251);
    expect(pagesAsked()).toEqual(['q:0']);

    await asked[0]!.answer('rows 0');
    expect(pagesAsked()).toEqual(['q:0', 'q:250']);
    await asked[1]!.answer('rows 250');
    expect(pagesAsked()).toEqual(['q:0', 'q:250', 'q:251']);
    await asked[2]!.answer('rows 251');
    // Pages 1 and 40–41 were passed by: never fetched, and nothing more is asked.
    expect(pagesAsked()).toEqual(['q:0', 'q:250', 'q:251']);
    expect(shown.map((s) => [s.page, s.outcome])).toEqual([
      [0, { ok: true, value: 'rows 0' }],
      [250, { ok: true, value: 'rows 250' }],
      [251, { ok: true, value: 'rows 251' }],
    ]);

    // Scrolling back to a page already here asks nothing.
    fetcher.show(250, 250);
    expect(asked).toHaveLength(3);
  });

  it('drops the answer to an old query and starts the new one at once', async () => {
    const { fetcher, asked, shown, pagesAsked } = harness();
    fetcher.query('severity=high');
    fetcher.query('severity=low');
    expect(pagesAsked()).toEqual(['severity=high:0', 'severity=low:0']);
    await asked[0]!.answer('high rows');
    await asked[1]!.answer('low rows');
    expect(shown).toEqual([{ key: 'severity=low', page: 0, outcome: { ok: true, value: 'low rows' } }]);
    // The same query again is not a new one.
    fetcher.query('severity=low');
    expect(asked).toHaveLength(2);
  });

  it('fetches again only the pages on screen when the findings change, and the others when they come back into view', async () => {
    const { fetcher, asked, pagesAsked } = harness();
    fetcher.query('q');
    await asked[0]!.answer('a');
    fetcher.show(5, 5);
    await asked[1]!.answer('b');
    fetcher.stale();
    expect(pagesAsked()).toEqual(['q:0', 'q:5', 'q:5']);
    await asked[2]!.answer('b2');
    fetcher.show(0, 0);
    expect(pagesAsked()).toEqual(['q:0', 'q:5', 'q:5', 'q:0']);
  });

  it('counts a page fetched before a change as stale after it', async () => {
    const { fetcher, asked, pagesAsked } = harness();
    fetcher.query('q');
    fetcher.stale(); // a finding was saved while page 0 was on its way
    await asked[0]!.answer('old rows');
    expect(pagesAsked()).toEqual(['q:0', 'q:0']);
  });

  it('reports a failed page once and does not ask for it again until the findings change', async () => {
    const { fetcher, asked, shown, pagesAsked } = harness();
    fetcher.query('q');
    await asked[0]!.fail('The workspace is locked.');
    expect(shown).toHaveLength(1);
    expect(shown[0]!.outcome).toMatchObject({ ok: false, error: new Error('The workspace is locked.') });
    fetcher.show(0, 0);
    expect(asked).toHaveLength(1);
    fetcher.stale();
    expect(pagesAsked()).toEqual(['q:0', 'q:0']);
  });
});
