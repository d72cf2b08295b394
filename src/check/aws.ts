import { awsErrorName, describeError, isAccessDenied, isNotFound, isUnreachable } from '../aws/errors.js';
import type { ExporterConfig, TargetConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { ACTION_PROBES, type ActionProbe, type ProbeMemo, type ProbePlace } from './actions.js';
import { checkCredentials, type CredentialCheck, type NotCheckedReason } from './credentials.js';
import { rememberFailedUrls, unreachableLine } from './requestUrls.js';
import { reportLines, type ActionResult } from './report.js';
import { withCheckSession, type CheckSession } from './session.js';
import { roleKey, type RoleRef } from '../model/target.js';

export type { ActionResult } from './report.js';

export interface PreflightReport {
  /** The credential sets' lines (identity, or why not), unreachable endpoints, then the table and the summary. */
  readonly lines: string[];
  /** True when every credential set resolved and every action was allowed on a target that exists. */
  readonly ok: boolean;
  readonly results: readonly ActionResult[];
}

const NO_ACCOUNT = '?';

/**
 * `--config.check=aws`, the preflight. Causes first, once each: the exporter's credentials, each role's
 * AssumeRole, then each endpoint as the first call reaches it. Then it runs the discoveries of the credential
 * sets that work and, for every listed and discovered target, makes each read call the exporter will make,
 * once, with the smallest page, reporting per IAM action `ok`, `denied`, `not found` or the error; a call
 * behind a failed cause is `not checked`, not blamed on its own action. A clean run proves the IAM policy, the
 * targets' existence and the network path, before the exporter is deployed.
 */
export async function preflight(config: ExporterConfig, logger: Logger): Promise<PreflightReport> {
  return withCheckSession(config, logger, async (session) => {
    const lines: string[] = [];
    const defaultRegion = await defaultRegionOf(session, config);
    const regionOf = (region: string | undefined): string => region ?? defaultRegion ?? '';
    const places = distinctPlaces(config).map(({ region, role }) => ({ clients: session.clients, region: regionOf(region), role }));
    const credentials = await checkCredentials(session, uniqueBy(places, (place) => roleKey(place.role)), lines);
    const usable = (role: RoleRef | undefined): boolean => credentials.get(roleKey(role))?.usable === true;
    const { watched, ok: discovered } = await session.watchedTargets(config.discovery.filter((spec) => usable(spec.role)));

    const prober = new Prober(session, credentials, lines);
    const results: ActionResult[] = [];
    const accountProbes = ACTION_PROBES.filter((probe) => probe.scope === 'account');
    // The account calls first: they reach each endpoint before the targets' calls do, so an unreachable one
    // is found once, by them.
    await Promise.all(places.map(async (place) => {
      for (const probe of accountProbes) results.push({ target: '*', kind: 'account', ...await prober.probe(place, probe, undefined, {}) });
    }));
    await Promise.all(watched.map(async ({ target }) => {
      const place = { clients: session.clients, region: regionOf(target.region), role: target.role };
      const memo: ProbeMemo = {};
      for (const probe of ACTION_PROBES.filter((candidate) => candidate.scope === target.kind)) {
        results.push({ target: target.name, kind: target.kind, ...await prober.probe(place, probe, target, memo) });
      }
    }));

    const ok = [...credentials.values()].every((check) => check.usable) && discovered && results.every((row) => row.result.startsWith('ok'));
    // Without the exporter's own credentials nothing was called: every row would repeat the one line above.
    const withTable = credentials.get(roleKey(undefined))?.usable !== false;
    return { lines: [...lines, ...reportLines(results, ok, { table: withTable })], ok, results };
  });
}

/** Makes the preflight's calls, or says why a call was not made: its credential set or its endpoint failed. */
class Prober {
  /** Endpoints (credential set, region, service) found unreachable. */
  private readonly unreachable = new Set<string>();

  constructor(private readonly session: CheckSession, private readonly credentials: ReadonlyMap<string, CredentialCheck>, private readonly lines: string[]) {}

  /** The row of one probe, less its target's columns; the call runs under the exporter's own pacing. */
  async probe(place: ProbePlace, probe: ActionProbe, target: TargetConfig | undefined, memo: ProbeMemo): Promise<Omit<ActionResult, 'target' | 'kind'>> {
    const accountId = this.accountOf(place.role);
    const row = { accountId, region: place.region, action: probe.action };
    const notChecked = this.notCheckedReason(place, probe);
    if (notChecked !== undefined) return { ...row, result: `not checked (${notChecked})`, detail: undefined };
    rememberFailedUrls(serviceOf(probe) === 'profile' ? place.clients.customerProfiles(place.region, place.role) : place.clients.entityResolution(place.region, place.role));
    const listed = memo.listed === true && memo.newestJobId === undefined;
    try {
      await this.session.pacer.gate(accountId, place.region)(probe.action.split(':')[1] ?? probe.action, () => probe.call(place, target, memo));
      return { ...row, result: 'ok', detail: undefined };
    } catch (err) {
      // A Get on a target that has no job yet still proves the permission.
      if (listed && probe.readsJob === true && isNotFound(err)) return { ...row, result: 'ok (no job yet)', detail: undefined };
      if (isUnreachable(err)) this.markUnreachable(place, probe, err);
      return { ...row, ...verdict(err) };
    }
  }

  private notCheckedReason(place: ProbePlace, probe: ActionProbe): NotCheckedReason | undefined {
    const credentials = this.credentials.get(roleKey(place.role));
    if (credentials?.usable === false) return credentials.reason;
    return this.unreachable.has(endpointKey(place, probe)) ? 'endpoint unreachable' : undefined;
  }

  /** Later calls to the endpoint are not made; its line is printed once, however many clients share the URL. */
  private markUnreachable(place: ProbePlace, probe: ActionProbe, err: unknown): void {
    this.unreachable.add(endpointKey(place, probe));
    const line = unreachableLine(err);
    if (!this.lines.includes(line)) this.lines.push(line);
  }

  /** The account the credential set reads; for a role not assumed, the one its ARN names. */
  private accountOf(role: RoleRef | undefined): string {
    const credentials = this.credentials.get(roleKey(role));
    if (credentials?.usable === true) return credentials.accountId;
    return role?.arn.split(':')[4] ?? NO_ACCOUNT;
  }
}

/** The IAM service prefix of a probe's action: `profile` or `entityresolution`. */
function serviceOf(probe: ActionProbe): string {
  return probe.action.split(':')[0] ?? probe.action;
}

/** The service endpoint a probe calls: one per credential set, region and service. */
function endpointKey(place: ProbePlace, probe: ActionProbe): string {
  return [roleKey(place.role), place.region, serviceOf(probe)].join('\u0000');
}

/** A failed call as the table shows it; an error's full line goes to the table's notes, once per distinct line. */
function verdict(err: unknown): Pick<ActionResult, 'result' | 'detail'> {
  if (isAccessDenied(err)) return { result: 'denied', detail: undefined };
  if (isNotFound(err)) return { result: 'not found', detail: undefined };
  if (isUnreachable(err)) return { result: 'unreachable', detail: undefined };
  return { result: `error: ${awsErrorName(err)}`, detail: describeError(err) };
}

/** The region of targets the config leaves to the SDK (AWS_REGION, the profile), looked up once. */
async function defaultRegionOf(session: CheckSession, config: ExporterConfig): Promise<string | undefined> {
  const needed = config.targets.some((target) => target.region === undefined) || config.discovery.some((spec) => spec.regions.includes(undefined));
  return needed ? session.clients.defaultRegion() : undefined;
}

/**
 * Every (credential set, region) the exporter will call, the listed targets' and the discoveries' (a discovered
 * target is in its discovery's); undefined: the default region.
 */
function distinctPlaces(config: ExporterConfig): { region: string | undefined; role: RoleRef | undefined }[] {
  const places = [
    ...config.targets.map((target) => ({ region: target.region, role: target.role })),
    ...config.discovery.flatMap((spec) => spec.regions.map((region) => ({ region, role: spec.role }))),
  ];
  return uniqueBy(places, (place) => `${roleKey(place.role)}\u0000${place.region ?? ''}`);
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}
