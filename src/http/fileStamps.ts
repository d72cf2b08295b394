import { readFileSync, statSync } from 'node:fs';

/**
 * What stat says of a file, which changes whenever it is written or replaced: a rename over it and a Kubernetes
 * secret's symlink swap give a new inode, an edit in place a new size or modification time. Stat follows symlinks.
 */
function stampOf(path: string): string {
  try {
    const stat = statSync(path, { bigint: true });
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  } catch (error) {
    return `unreadable:${(error as NodeJS.ErrnoException).code ?? 'unknown'}`;
  }
}

/**
 * Files as they were read: each file's stamp is taken just before reading it, so a write racing the read shows
 * as a change at the next look rather than going unseen.
 */
export class FileStamps {
  private readonly stamps = new Map<string, string>();

  /** The file's contents, its stamp kept even when reading fails, so that the file's appearing shows as a change. */
  read(path: string): Buffer {
    this.stamps.set(path, stampOf(path));
    return readFileSync(path);
  }

  /** Whether any file read has been written, replaced or removed since: a few stat calls, no reading. */
  changed(): boolean {
    for (const [path, stamp] of this.stamps) {
      if (stampOf(path) !== stamp) return true;
    }
    return false;
  }
}
