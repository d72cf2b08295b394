/**
 * `render` run at most once per second of the wall clock: the requests of one second share its result. The
 * status page's times are to the second anyway, and a flood of browsers (or a dashboard's iframe) costs one
 * render a second instead of one per request. A render that fails is not kept.
 */
export function oncePerSecond<T>(render: () => Promise<T>, nowMs: () => number = Date.now): () => Promise<T> {
  let latest: { readonly second: number; readonly result: Promise<T> } | undefined;
  return () => {
    const second = Math.floor(nowMs() / 1000);
    if (latest?.second === second) return latest.result;
    const result = render();
    const entry = { second, result };
    latest = entry;
    result.catch(() => { if (latest === entry) latest = undefined; });
    return result;
  };
}
