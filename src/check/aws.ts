import { describeError, isAccessDenied, isNotFound } from '../aws/errors.js';
import type { ExporterConfig, TargetConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { ACTION_PROBES, type ActionProbe, type ProbeMemo, type ProbePlace } from './actions.js';
import { withCheckSession, type CheckSession } from './session.js';
import { roleKey, type RoleRef } from '../model/target.js';

/** One tried action: a row of the preflight's table. */
export interface ActionResult {
  /** The target's name, or `*` for an account-level action. */
  readonly target: string;
  /** The target's kind, or `account`. */
  readonly kind: string;
  readonly accountId: string;
  readonly region: string;
  readonly action: string;
  /** `ok`, `ok (no job yet)`, `denied`, `not found`, or `error: NAME: message`. */
  readonly result: string;
}

export interface PreflightReport {
  /** `identity` lines (one per credential set), then the table. */
  readonly lines: string[];
  /** True when every credential set resolved and every action was allowed on a target that exists. */
  readonly ok: boolean;
  readonly results: readonly ActionResult[];
}

const COLUMNS = ['TARGET', 'KIND', 'ACCOUNT', 'REGION', 'ACTION', 'RESULT'] as const;
const NO_ACCOUNT = '?';

/** A failed call as the table shows it. */
function verdict(err: unknown): string {
  if (isAccessDenied(err)) return 'denied';
  if (isNotFound(err)) return 'not found';
  return `error: ${describeError(err)}`;
}

const isOk = (result: string): boolean => result.startsWith('ok');

/**
 * `--config.check=aws`, the preflight: resolves the credentials (printing who they are), runs the discoveries,
 * then for every listed and discovered target makes each read call the exporter will make, once, with the
 * smallest page, and reports per IAM action `ok`, `denied`, `not found` or the error. A clean run proves the
 * IAM policy, the targets' existence and the network path, before the exporter is deployed.
 */
export async function preflight(config: ExporterConfig, logger: Logger): Promise<PreflightReport> {
  return withCheckSession(config, logger, async (session) => {
    const lines: string[] = [];
    let ok = true;
    const { watched, ok: discovered } = await session.watchedTargets();
    const targets = watched.map(({ target }) => target);
    const defaultRegion = await defaultRegionOf(session, targets, config);
    const regionOf = (region: string | undefined): string => region ?? defaultRegion ?? '';
    const places = distinctPlaces(targets, config).map(({ region, role }) => ({ clients: session.clients, region: regionOf(region), role }));

    const accountOf = new Map<string, string>();
    for (const place of uniqueBy(places, (p) => roleKey(p.role))) {
      try {
        // The discoveries have looked most credential sets up already: the resolver's cache answers for them.
        const { accountId, arn } = await session.accounts.identity(place.region, place.role);
        accountOf.set(roleKey(place.role), accountId);
        lines.push(`identity: ${arn ?? '?'} (account ${accountId})${place.role ? ` as role ${place.role.arn}` : ''}`);
      } catch (err) {
        ok = false;
        lines.push(`identity: cannot resolve credentials${place.role ? ` for role ${place.role.arn}` : ''}: ${describeError(err)}`);
      }
    }

    const results: ActionResult[] = [];
    const account = (role: RoleRef | undefined): string => accountOf.get(roleKey(role)) ?? NO_ACCOUNT;
    const accountProbes = ACTION_PROBES.filter((probe) => probe.scope === 'account');
    await Promise.all(places.map(async (place) => {
      for (const probe of accountProbes) {
        results.push({ target: '*', kind: 'account', accountId: account(place.role), region: place.region, action: probe.action, result: await attempt(session, place, probe, undefined, {}, account(place.role)) });
      }
    }));
    await Promise.all(targets.map(async (target) => {
      const place = { clients: session.clients, region: regionOf(target.region), role: target.role };
      const memo: ProbeMemo = {};
      for (const probe of ACTION_PROBES.filter((candidate) => candidate.scope === target.kind)) {
        results.push({ target: target.name, kind: target.kind, accountId: account(target.role), region: place.region, action: probe.action, result: await attempt(session, place, probe, target, memo, account(target.role)) });
      }
    }));

    results.sort(byPlaceThenTarget);
    ok &&= discovered && results.every((row) => isOk(row.result));
    lines.push(...table(results), summary(results, ok));
    return { lines, ok, results };
  });
}

/** Runs one probe under the exporter's pacing; a Get on a target that has no job yet still proves the permission. */
async function attempt(session: CheckSession, place: ProbePlace, probe: ActionProbe, target: TargetConfig | undefined, memo: ProbeMemo, accountId: string): Promise<string> {
  const gate = session.pacer.gate(accountId, place.region);
  const listed = memo.listed === true && memo.newestJobId === undefined;
  try {
    await gate(probe.action.split(':')[1] ?? probe.action, () => probe.call(place, target, memo));
    return 'ok';
  } catch (err) {
    if (listed && probe.readsJob === true && isNotFound(err)) return 'ok (no job yet)';
    return verdict(err);
  }
}

/** The region of targets the config leaves to the SDK (AWS_REGION, the profile), looked up once. */
async function defaultRegionOf(session: CheckSession, targets: readonly TargetConfig[], config: ExporterConfig): Promise<string | undefined> {
  const needed = targets.some((target) => target.region === undefined) || config.discovery.some((spec) => spec.regions.includes(undefined));
  return needed ? session.clients.defaultRegion() : undefined;
}

/** Every (credential set, region) the exporter will call, the targets' and the discoveries'; undefined: the default region. */
function distinctPlaces(targets: readonly TargetConfig[], config: ExporterConfig): { region: string | undefined; role: RoleRef | undefined }[] {
  const places = [
    ...targets.map((target) => ({ region: target.region, role: target.role })),
    ...config.discovery.flatMap((spec) => spec.regions.map((region) => ({ region, role: spec.role }))),
  ];
  return uniqueBy(places, (place) => `${roleKey(place.role)}\u0000${place.region ?? ''}`);
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

function byPlaceThenTarget(a: ActionResult, b: ActionResult): number {
  const keyOf = (row: ActionResult): string => [row.accountId, row.region, row.kind === 'account' ? '' : row.kind, row.target].join('\u0000');
  return keyOf(a).localeCompare(keyOf(b));
}

/** `preflight: 16 calls, 14 ok, 1 denied, 1 not found: FAILED`. */
function summary(results: readonly ActionResult[], ok: boolean): string {
  const labelOf = (result: string): string => (isOk(result) ? 'ok' : result.startsWith('error') ? 'error' : result);
  const counts = ['ok', 'denied', 'not found', 'error']
    .map((label) => [label, results.filter((row) => labelOf(row.result) === label).length] as const)
    .filter(([, count]) => count > 0);
  return `preflight: ${results.length} calls, ${counts.map(([label, count]) => `${count} ${label}`).join(', ')}: ${ok ? 'OK' : 'FAILED'}`;
}

/** The rows as aligned columns under a header. */
function table(rows: readonly ActionResult[]): string[] {
  const cells = [[...COLUMNS], ...rows.map((row) => [row.target, row.kind, row.accountId, row.region, row.action, row.result])];
  const widths = COLUMNS.map((_, column) => Math.max(...cells.map((cell) => cell[column]?.length ?? 0)));
  return cells.map((cell) => cell.map((text, column) => (column === COLUMNS.length - 1 ? text : text.padEnd(widths[column] ?? 0))).join('  '));
}
