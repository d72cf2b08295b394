/** No real list has this many pages: one that does is a service handing out tokens forever. */
export const MAX_PAGES = 1000;

/** Raised when a list keeps handing out pages (a repeating nextToken or an endless list). */
export class PaginationError extends Error {
  override readonly name = 'PaginationError';
}

/**
 * The pages of an AWS list, fetched one at a time as the caller asks for them (it may stop early). An empty
 * token ends the list as an absent one does (the SDK's paginators treat both alike). A token seen before, or a
 * list longer than {@link MAX_PAGES}, fails the read with a {@link PaginationError}: a list cut short
 * silently would pass for a complete one.
 */
export async function* pages<Page>(fetchPage: (token: string | undefined) => Promise<Page>, tokenOf: (page: Page) => string | undefined): AsyncGenerator<Page> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let read = 0; ; read++) {
    if (read >= MAX_PAGES) throw new PaginationError(`the list did not end after ${MAX_PAGES} pages`);
    const page = await fetchPage(token);
    yield page;
    token = tokenOf(page);
    if (token === undefined || token === '') return;
    if (seen.has(token)) throw new PaginationError(`the list repeated its nextToken after ${read + 1} pages`);
    seen.add(token);
  }
}
