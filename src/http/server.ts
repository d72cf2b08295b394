import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import bcrypt from 'bcryptjs';
import pLimit from 'p-limit';
import type { Logger } from '../log.js';
import { isExactRead } from './exactRead.js';
import { LiveWebConfig } from './liveWebConfig.js';
import { sendPlainText } from './plainText.js';
import { PROBE_PATHS } from './probes.js';
import type { TlsSettings, WebConfig } from './webConfig.js';

export const REALM = 'aws-resolution-exporter';
/** Verified credentials kept, so that scrapes skip bcrypt (slow by design); oldest dropped first. */
const MAX_CACHED_CREDENTIALS = 256;
/** The dummy hash's cost when there are no users to match. */
const DEFAULT_COST = 10;

/** User and password of an `Authorization: Basic …` header, or undefined when there is no such header. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Checks HTTP basic-auth credentials against bcrypt hashes, as exporter-toolkit does: an unknown user is
 * compared against a dummy hash of the same cost, so that answering takes as long as for a known one
 * (no user enumeration by timing); bcrypt runs one comparison at a time, so a flood of bad credentials
 * costs one core at most; and credentials that passed are remembered by their SHA-256, so repeated
 * scrapes cost a hash rather than a bcrypt comparison.
 */
export class BasicAuthenticator {
  private readonly verified = new Set<string>();
  private readonly oneAtATime = pLimit(1);
  private readonly dummyHash: Promise<string>;

  constructor(private readonly users: ReadonlyMap<string, string>) {
    // As costly as the users' own hashes: cheaper or dearer, it would tell unknown users from known ones.
    const costs = [...users.values()].map((hash) => bcrypt.getRounds(hash));
    const cost = costs.length === 0 ? DEFAULT_COST : Math.max(...costs);
    this.dummyHash = bcrypt.hash(randomBytes(24).toString('base64'), cost);
  }

  /** The user whose credentials the `Authorization` header carries, or undefined if it carries no valid ones. */
  async authenticate(header: string | undefined): Promise<string | undefined> {
    const credentials = parseBasicAuth(header);
    if (!credentials) return undefined;
    const { user, password } = credentials;
    const key = createHash('sha256').update(`${user}:${password}`).digest('hex');
    if (this.verified.has(key)) return user;
    const dummy = await this.dummyHash;
    const hash = this.users.get(user);
    const matches = await this.oneAtATime(() => bcrypt.compare(password, hash ?? dummy));
    if (!matches || hash === undefined) return undefined;
    if (this.verified.size >= MAX_CACHED_CREDENTIALS) {
      const oldest = this.verified.values().next();
      if (oldest.done !== true) this.verified.delete(oldest.value);
    }
    this.verified.add(key);
    return user;
  }
}

function unauthorized(res: ServerResponse): void {
  res.setHeader('WWW-Authenticate', `Basic realm="${REALM}"`);
  sendPlainText(res, 401);
}

/**
 * Whether `req` is a liveness or readiness probe, which needs no credentials (see probes.ts). The path must be
 * exactly one of the two, a query string aside: any other spelling express might also route there (`/-/HEALTHY`,
 * `/-/ready/`, an absolute URL) still needs credentials, so that nothing but those two handlers answers without.
 */
function isProbe(req: IncomingMessage): boolean {
  return isExactRead(req, PROBE_PATHS);
}

/**
 * `handler` behind basic authentication: while `users` (asked on each request, so that a changed web
 * configuration applies to open connections too) names any, every path but the probes' answers 401 without
 * valid credentials.
 */
export function withBasicAuth(handler: RequestListener, users: () => ReadonlyMap<string, string>, logger: Logger): RequestListener {
  // A new authenticator only for new users: it holds the cache of verified credentials.
  let checking: { users: ReadonlyMap<string, string>; authenticator: BasicAuthenticator } | undefined;
  return (req: IncomingMessage, res: ServerResponse) => {
    const current = users();
    if (current.size === 0 || isProbe(req)) {
      handler(req, res);
      return;
    }
    if (checking?.users !== current) checking = { users: current, authenticator: new BasicAuthenticator(current) };
    checking.authenticator.authenticate(req.headers.authorization).then(
      (user) => {
        if (user !== undefined) {
          handler(req, res);
          return;
        }
        logger.debug({ path: req.url, remote: req.socket.remoteAddress }, 'unauthorized request');
        unauthorized(res);
      },
      (err: unknown) => {
        logger.error({ err }, 'basic authentication failed');
        sendPlainText(res, 500);
      },
    );
  };
}

/**
 * Node's options for exporter-toolkit's client_auth_type, plus a check after the handshake for the policies
 * Node cannot express. Node always completes the handshake and then verifies, so "refused" below means the
 * connection is closed right after the handshake, before any request is read; the client sees a reset.
 * - NoClientCert: no certificate asked for.
 * - RequestClientCert: asked for, neither required nor verified.
 * - RequireAnyClientCert: required, not verified: a connection without one is closed.
 * - VerifyClientCertIfGiven: asked for; one that client_ca_file does not verify is refused.
 * - RequireAndVerifyClientCert: required and verified against client_ca_file by Node itself.
 */
function clientAuthOptions(tls: TlsSettings): { requestCert: boolean; rejectUnauthorized: boolean; refuse?: (socket: TLSSocket) => boolean } {
  switch (tls.clientAuthType) {
    case 'NoClientCert':
      return { requestCert: false, rejectUnauthorized: false };
    case 'RequestClientCert':
      return { requestCert: true, rejectUnauthorized: false };
    case 'RequireAnyClientCert':
      return { requestCert: true, rejectUnauthorized: false, refuse: (socket) => socket.getPeerX509Certificate() === undefined };
    case 'VerifyClientCertIfGiven':
      return { requestCert: true, rejectUnauthorized: false, refuse: (socket) => socket.getPeerX509Certificate() !== undefined && !socket.authorized };
    case 'RequireAndVerifyClientCert':
      return { requestCert: true, rejectUnauthorized: true };
  }
}

/** The secure context's part of the TLS settings: what a running server can take anew (see liveWebConfig.ts). */
function secureContextOptions(tls: TlsSettings): SecureContextOptions {
  return { cert: tls.cert, key: tls.key, minVersion: tls.minVersion, ...(tls.clientCa ? { ca: tls.clientCa } : {}) };
}

/**
 * Refuses a web configuration read again that the running server cannot take: Node fixes whether a server speaks
 * TLS, and whether it asks for a client certificate, when it is created.
 */
function restartNeeded(next: WebConfig, previous: WebConfig): string | undefined {
  if ((next.tls === undefined) !== (previous.tls === undefined)) return 'turning TLS on or off takes a restart';
  if (next.tls && previous.tls && next.tls.clientAuthType !== previous.tls.clientAuthType) return 'a new client_auth_type takes a restart';
  return undefined;
}

/**
 * The exporter's HTTP server for `handler`: plain HTTP, or HTTPS with the web configuration's certificate,
 * minimum version and client-certificate policy; behind basic authentication when users are configured.
 * The web configuration is followed as its files change (see liveWebConfig.ts): users on each request, the
 * certificate, key, CA bundle and minimum version on each new connection. The check is synchronous because
 * Node gives a new connection the server's secure context in the same 'connection' event, before any await
 * could end: the listener added first makes the connection that notices a renewal already use it.
 */
export function createWebServer(handler: RequestListener, web: WebConfig | undefined, logger: Logger): Server {
  if (!web) return createHttpServer(handler);
  const live = new LiveWebConfig(web, logger, (next, previous) => {
    // next.tls is set only if TLS was on from the start (restartNeeded): then `server` is the HTTPS server below.
    const refused = restartNeeded(next, previous);
    if (refused !== undefined) throw new Error(refused);
    if (next.tls) server.setSecureContext(secureContextOptions(next.tls));
  });
  const guarded = withBasicAuth(handler, () => live.current().basicAuthUsers, logger);
  const tls = web.tls;
  if (!tls) return createHttpServer(guarded);
  const { refuse, ...clientAuth } = clientAuthOptions(tls);
  const server: HttpsServer = createHttpsServer({ ...secureContextOptions(tls), ...clientAuth }, guarded);
  server.prependListener('connection', () => { live.current(); });
  if (refuse) {
    server.on('secureConnection', (socket: TLSSocket) => {
      if (!refuse(socket)) return;
      logger.debug({ remote: socket.remoteAddress, clientAuthType: tls.clientAuthType, reason: socket.authorizationError }, 'client certificate refused');
      socket.destroy();
    });
  }
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    // OpenSSL's messages span lines; the code and, for a refused client certificate, the verification error say enough.
    logger.debug({ code: err.code, reason: socket.authorizationError, remote: socket.remoteAddress }, 'TLS handshake failed');
  });
  return server;
}
