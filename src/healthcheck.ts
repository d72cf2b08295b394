/**
 * The Docker image's HEALTHCHECK: asks this container's exporter for /-/healthy and exits 0 when it answers 2xx,
 * else 1. Whether the exporter serves HTTPS is up to its --web.config.file, which a health check cannot see, so it
 * asks over HTTPS first and, when that gets no answer (a plain HTTP server ends the handshake), over HTTP. Like a
 * kubelet's HTTPS probe it presents no client certificate and does not verify the server's: it asks 127.0.0.1,
 * a name no certificate needs to carry. HEALTHCHECK_PORT overrides the port, for a --web.listen-address that
 * changes it.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseFlags } from './cli/flags.js';
import { HEALTHY_PATH } from './http/probes.js';

/** Two attempts fit in the HEALTHCHECK's --timeout of 5 s. */
const ATTEMPT_TIMEOUT_MS = 2000;

/** The status `url` answers with; rejects when there is no answer. */
function statusOf(url: string): Promise<number> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, timeout: ATTEMPT_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => { req.destroy(new Error(`no answer within ${ATTEMPT_TIMEOUT_MS} ms`)); });
    req.on('error', reject);
    req.end();
  });
}

/** One line for Docker's health log (docker inspect), and whether the exporter is healthy. */
async function check(address: string): Promise<{ healthy: boolean; line: string }> {
  const failures: string[] = [];
  for (const scheme of ['https', 'http']) {
    try {
      const status = await statusOf(`${scheme}://${address}`);
      return { healthy: status >= 200 && status < 300, line: `${scheme}://${address}: ${status}` };
    } catch (err) {
      failures.push(`${scheme}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { healthy: false, line: `${address}: no answer (${failures.join('; ')})` };
}

const port = process.env.HEALTHCHECK_PORT ?? String(parseFlags([]).listenPort);
const { healthy, line } = await check(`127.0.0.1:${port}${HEALTHY_PATH}`);
process.stdout.write(`${line}\n`);
process.exitCode = healthy ? 0 : 1;
