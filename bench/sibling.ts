import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The path of module `name` next to the module at `url`, with that module's extension: `.ts` when the bench
 * runs from its sources (through tsx), `.js` when it runs compiled, as its measured processes do.
 */
export function siblingModule(url: string, name: string): string {
  return fileURLToPath(new URL(`./${name}${extname(fileURLToPath(url))}`, url));
}
