import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

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
  /** Each client starts a request at most this often, as a scraper on its interval does; default back to back. */
  readonly intervalMs?: number;
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

/** The sample lines (series) of one exposition, counted here so the exporter measured never holds the body. */
export interface SeriesCount {
  readonly series: number;
}

type Message =
  | { readonly type: 'run'; readonly run: LoadRun }
  | { readonly type: 'count'; readonly url: string }
  | { readonly type: 'stop' };

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
      if (run.intervalMs !== undefined) await pause(sent + run.intervalMs, deadline);
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

/** Waits until `until` (or the deadline, or a stop), in short steps so that a stop is not kept waiting. */
async function pause(until: number, deadline: number): Promise<void> {
  const end = Math.min(until, deadline);
  while (!stopping && performance.now() < end) await sleep(Math.min(250, end - performance.now()));
}

/** Counts the lines of a text exposition that are neither blank nor comments, as they stream in. */
function countSeries(url: string): Promise<SeriesCount> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let series = 0;
      let atLineStart = true;
      res.on('data', (chunk: Buffer) => {
        for (const byte of chunk) {
          if (atLineStart && byte !== NEWLINE && byte !== HASH) series++;
          atLineStart = byte === NEWLINE;
        }
      });
      res.on('end', () => { resolve({ series }); });
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

const NEWLINE = 0x0a;
const HASH = 0x23;

/**
 * The load generator runs as a process of its own, started by the bench (load.ts) with an IPC channel: like
 * Prometheus, its sockets, event loop and memory are not the exporter's.
 */
process.on('message', (message: Message) => {
  if (message.type === 'stop') {
    stopping = true;
    return;
  }
  const answer = message.type === 'count' ? countSeries(message.url) : load(message.run);
  void answer.then((result) => { process.send?.(result); });
});
process.on('disconnect', () => { process.exit(0); });
