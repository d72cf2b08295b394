import { Agent, request } from 'node:http';

/**
 * What the bench asks of the load generator: `clients` keep-alive connections sending requests back to back.
 * Given several URLs, all clients load the same one at a time and take them in turns of `slotMs` (A B A B …),
 * so that every URL is measured under the same conditions, side by side.
 */
export interface LoadRun {
  readonly url: string | readonly string[];
  /** Each URL's turn when there are several; default 250 ms. */
  readonly slotMs?: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly clients: number;
  /** Undefined: until told to stop. */
  readonly durationMs: number | undefined;
}

/** What one URL of a run got. */
export interface UrlLoad {
  readonly requests: number;
  readonly errors: number;
  readonly bytes: number;
  /** Every request's latency (request sent to last byte read), in milliseconds. */
  readonly latenciesMs: Float64Array;
}

export interface LoadResult {
  readonly seconds: number;
  /** In the order of the run's URLs; each had an equal share of the time. */
  readonly urls: readonly UrlLoad[];
}

type Message = { readonly type: 'run'; readonly run: LoadRun } | { readonly type: 'stop' };

let stopping = false;

function once(agent: Agent, url: string, headers: Readonly<Record<string, string>>): Promise<{ ok: boolean; bytes: number }> {
  return new Promise((resolve) => {
    const req = request(url, { agent, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      res.on('end', () => { resolve({ ok: res.statusCode === 200, bytes }); });
      res.on('error', () => { resolve({ ok: false, bytes }); });
    });
    req.on('error', () => { resolve({ ok: false, bytes: 0 }); });
    req.end();
  });
}

async function load(run: LoadRun): Promise<LoadResult> {
  stopping = false;
  const urls = typeof run.url === 'string' ? [run.url] : run.url;
  const slotMs = run.slotMs ?? 250;
  const agent = new Agent({ keepAlive: true, maxSockets: run.clients });
  const perUrl = urls.map(() => ({ latencies: [] as number[], errors: 0, bytes: 0 }));
  const started = performance.now();
  const deadline = run.durationMs === undefined ? Number.POSITIVE_INFINITY : started + run.durationMs;
  const client = async (): Promise<void> => {
    while (!stopping && performance.now() < deadline) {
      const sent = performance.now();
      const slot = Math.floor((sent - started) / slotMs) % urls.length;
      const answer = await once(agent, urls[slot] ?? '', run.headers);
      const tally = perUrl[slot];
      if (!tally) continue;
      tally.latencies.push(performance.now() - sent);
      tally.bytes += answer.bytes;
      if (!answer.ok) tally.errors++;
    }
  };
  await Promise.all(Array.from({ length: run.clients }, client));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    seconds,
    urls: perUrl.map(({ latencies, errors, bytes }) => ({ requests: latencies.length, errors, bytes, latenciesMs: Float64Array.from(latencies) })),
  };
}

/**
 * The load generator runs as a process of its own, started by the bench (load.ts) with an IPC channel: like
 * Prometheus, its sockets, event loop and memory are not the exporter's.
 */
process.on('message', (message: Message) => {
  if (message.type === 'stop') {
    stopping = true;
    return;
  }
  void load(message.run).then((result) => { process.send?.(result); });
});
process.on('disconnect', () => { process.exit(0); });
