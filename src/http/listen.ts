import type { Server } from 'node:http';
import { getSystemErrorMap } from 'node:util';

/**
 * The server could not listen where it was told (the address is in use, or not this host's, or the port is
 * privileged): something to fix outside the exporter, so its message is the cause alone, such as
 * "address already in use", for the command line to name the flag in front of it.
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/** The cause of a failed listen in the system's words, without Node's `listen EADDRINUSE:` prefix and address. */
function listenCause(err: NodeJS.ErrnoException): string {
  // getSystemErrorMap, not getSystemErrorMessage: the demo must also start on the Node a fresh machine has (20).
  const described = err.errno === undefined ? undefined : getSystemErrorMap().get(err.errno);
  return described === undefined ? err.message : described[1];
}

/** Starts `server` listening; rejects with a {@link ListenError} when it cannot. */
export function listen(server: Server, host: string | undefined, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException): void => { reject(new ListenError(listenCause(err), { cause: err })); };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve(server);
    });
  });
}
