/**
 * What kept the exporter from starting that the user fixes outside it (an address in use, an unreadable
 * certificate): one line naming the flag and the cause, printed without a stack, exit 1.
 */
export class StartFailure extends Error {
  override readonly name = 'StartFailure';
}

/**
 * A rejection handler turning an error of `kind` into a {@link StartFailure} that names `flag` (`--name=value`);
 * any other error passes through unchanged, to show its stack: it is a bug, not the user's to fix.
 */
export function blameFlag(flag: string, kind: abstract new (...args: never[]) => Error): (err: unknown) => never {
  return (err) => {
    if (err instanceof kind) throw new StartFailure(`${flag}: ${err.message}`, { cause: err });
    throw err;
  };
}
