import { expect } from 'chai';
import { MAX_PAGES, PaginationError, pages } from '../src/aws/pagination.js';

/** Reads every page of a list whose pages are fetched by `fetchPage`, counting the fetches. */
async function readAll(tokenOf: (call: number) => string | undefined): Promise<{ fetched: number; error: unknown }> {
  let fetched = 0;
  try {
    for await (const page of pages((token) => Promise.resolve({ token, next: tokenOf(++fetched) }), (page) => page.next)) expect(page).to.exist;
  } catch (error) {
    return { fetched, error };
  }
  return { fetched, error: undefined };
}

describe('pages of an AWS list', () => {
  it('ends at an absent or an empty nextToken', async () => {
    expect(await readAll((call) => (call < 3 ? `t${call}` : undefined))).to.deep.equal({ fetched: 3, error: undefined });
    expect(await readAll((call) => (call < 2 ? `t${call}` : ''))).to.deep.equal({ fetched: 2, error: undefined });
  });

  it('fails a list that never ends, rather than cutting it short silently', async () => {
    const { fetched, error } = await readAll((call) => `t${call}`);
    expect(error).to.be.instanceOf(PaginationError);
    expect(fetched).to.equal(MAX_PAGES);
  });

  it('fails a list that repeats its nextToken at the first repeat', async () => {
    const { fetched, error } = await readAll((call) => (call % 2 === 0 ? 'b' : 'a'));
    expect(error).to.be.instanceOf(PaginationError);
    expect(fetched).to.equal(3);
  });
});
