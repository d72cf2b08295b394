import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CallCounts, type QuotaScope } from './counts.js';
import { Faults, type FaultEffect } from './faults.js';
import { DEFAULT_ACCOUNT_ID, Fleet, type FleetSpec } from './fleet.js';
import { Identities } from './identities.js';
import { answerRestJson, ApiError, routeRestJson } from './restJson.js';
import { answerSts, stsError, stsOperation } from './sts.js';

export type { QuotaCalls } from './counts.js';
export type { FaultEffect, FaultRule } from './faults.js';
export type { FleetSpec, ListOrder, SimTarget, TargetRef } from './fleet.js';
export type { SimKind, WireObject } from './lifecycle.js';
export type { DataStoreSpec, DomainSpec, IdMappingWorkflowSpec, MatchingWorkflowSpec, RuleBasedMatchingSpec, SimTags, TargetSpec } from './resources.js';
export { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, specNames } from './fleet.js';

export interface SimulatorOptions {
  /** Same seed, same fleet, same job history. */
  readonly seed?: number | string;
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /**
   * Starts the server listening (by default a plain listen, for the tests' free ports). The demo passes the
   * exporter's own, so that a port in use is reported as the exporter's listen address is.
   */
  readonly listen?: (server: Server, host: string, port: number) => Promise<unknown>;
  readonly fleet?: FleetSpec;
  /** Added to every answer, as the network and AWS would. */
  readonly latencyMs?: number;
  /** Requests per second per account, region and operation ('*' for every operation); more get 429. */
  readonly quotas?: Readonly<Record<string, number>>;
  /** Domains and workflows whose every call is denied (403 AccessDeniedException). */
  readonly deniedTargets?: readonly string[];
  /** Epoch milliseconds; jobs move as this clock moves (tests pass a clock they control). */
  readonly now?: () => number;
}

/** A running simulator. */
export interface Simulator {
  /** http://127.0.0.1:PORT, to use as endpoint for Customer Profiles, Entity Resolution and STS alike. */
  readonly url: string;
  readonly fleet: Fleet;
  readonly faults: Faults;
  readonly counts: CallCounts;
  /** The simulator's clock, in epoch seconds. */
  now(): number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

/**
 * Starts a loopback AWS stand-in that speaks the wire protocol of the calls the exporter makes: the
 * Customer Profiles and Entity Resolution read calls (restJson1) and STS GetCallerIdentity and AssumeRole
 * (awsQuery), told apart by the SigV4 credential scope, so one port serves all three.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const seed = String(options.seed ?? 1);
  const clockMs = options.now ?? Date.now;
  const now = (): number => clockMs() / 1000;
  const fleet = new Fleet(options.fleet ?? {}, seed, now());
  const faults = new Faults(seed);
  const counts = new CallCounts();
  const identities = new Identities(fleet.accounts[0] ?? DEFAULT_ACCOUNT_ID);
  for (const [operation, rate] of Object.entries(options.quotas ?? {})) faults.setQuota(operation, rate);
  for (const target of options.deniedTargets ?? []) {
    faults.add({ target, effect: { type: 'error', status: 403, code: 'AccessDeniedException', message: `User is not authorized to access ${target}` } });
  }
  const latencyMs = options.latencyMs ?? 0;
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://simulator');
    const scope = credentialScope(req.headers.authorization);
    const region = scope.region ?? 'us-east-1';
    const isSts = scope.service === 'sts' || (req.method === 'POST' && url.pathname === '/');
    const form = new URLSearchParams(isSts ? body : '');
    const route = isSts ? undefined : routeRestJson(url.pathname);
    const operation = isSts ? stsOperation(form) : (route?.operation ?? 'Unknown');
    const service = isSts ? 'sts' : (route?.service ?? 'entityresolution');
    const caller = identities.resolve(scope.accessKeyId, now());
    const accountId = route?.arnAccountId ?? (caller === 'expired' ? '' : caller.accountId);
    /** The (account, region) whose quota the call draws on. */
    const quotaScope: QuotaScope = { accountId, region: route?.arnRegion ?? region };
    const reply = (status: number, code: string, text: string, contentType: string): void => {
      counts.record(operation, route?.targetName ?? (isSts ? form.get('RoleArn') ?? undefined : undefined), code, quotaScope);
      if (status >= 300) res.setHeader('x-amzn-ErrorType', code);
      res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    const fail = (error: ApiError): void => {
      if (isSts) reply(error.status, error.code, stsError(error, requestId), 'text/xml');
      else reply(error.status, error.code, JSON.stringify({ __type: error.code, [service === 'profile' ? 'Message' : 'message']: error.message }), 'application/json');
    };

    const target = route?.targetName ?? (isSts ? form.get('RoleArn') ?? undefined : undefined);
    const effect = faults.decide({ operation, target, ...quotaScope });
    if (latencyMs > 0) await sleep(latencyMs);
    if (effect?.type === 'delay') await sleep(effect.ms);
    if (effect && applyFault(effect, req, res, reply, fail)) return;

    if (caller === 'expired') {
      fail(new ApiError(403, isSts ? 'ExpiredToken' : 'ExpiredTokenException', 'The security token included in the request is expired'));
      return;
    }
    try {
      if (isSts) {
        reply(200, 'OK', answerSts(form, { identities, caller, accounts: fleet.accounts, now: now(), requestId }), 'text/xml');
        return;
      }
      if (!route || req.method !== 'GET') throw new ApiError(404, 'UnknownOperationException', `no operation at ${req.method ?? ''} ${url.pathname}`);
      const output = answerRestJson(route, {
        fleet, accountId: caller.accountId, region, query: url.searchParams, now: now(), repeatToken: effect?.type === 'repeat-token',
      });
      reply(200, 'OK', JSON.stringify(output), 'application/json');
    } catch (err) {
      fail(err instanceof ApiError ? err : new ApiError(500, 'InternalServerException', String(err)));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => { res.destroy(); });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  const listen = options.listen ?? ((plain: Server, at: string, port: number) => new Promise<void>((resolve) => plain.listen(port, at, resolve)));
  await listen(server, host, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    fleet,
    faults,
    counts,
    now,
    close: () => new Promise<void>((resolve) => {
      server.close(() => { resolve(); });
      for (const socket of sockets) socket.destroy();
    }),
  };
}

/** Carries out a fault; false when the request should still be answered normally (a delay, an endless list). */
function applyFault(
  effect: FaultEffect,
  req: IncomingMessage,
  res: ServerResponse,
  reply: (status: number, code: string, text: string, contentType: string) => void,
  fail: (error: ApiError) => void,
): boolean {
  switch (effect.type) {
    case 'error':
      fail(new ApiError(effect.status, effect.code, effect.message ?? `${effect.code} (injected)`));
      return true;
    case 'throttle':
      fail(new ApiError(429, 'ThrottlingException', 'Rate exceeded'));
      return true;
    case 'reset':
      req.socket.destroy();
      return true;
    case 'hang':
      // Leave the response open; the client's timeout or the simulator's close ends it.
      res.on('close', () => undefined);
      return true;
    case 'body':
      reply(effect.status ?? 200, effect.status === undefined || effect.status < 300 ? 'OK' : `HTTP${effect.status}`, effect.body, 'application/json');
      return true;
    case 'delay':
    case 'repeat-token':
      return false;
  }
}

/** The access key, region and service of a SigV4 `Authorization` header's credential scope. */
function credentialScope(authorization: string | undefined): { accessKeyId?: string | undefined; region?: string | undefined; service?: string | undefined } {
  const match = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  if (!match) return {};
  return { accessKeyId: match[1], region: match[2], service: match[3] };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

