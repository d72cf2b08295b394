import { type TargetConfig } from '../config/types.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { THROTTLING_ERROR_NAMES } from '../aws/errors.js';
import type { AwsAttempt } from '../aws/instrumentation.js';
import type { CollectionSnapshot } from '../collect/snapshot.js';
import { encodePart, type ExpositionPart } from '../exposition/encoding.js';
import { TARGET_KINDS } from '../model/kinds.js';

/** prom-client's default metrics, less three gauges whose `_total` names promise a counter. */
const MISNAMED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** HTTP requests sent to AWS since the exporter started, as aws_requests_total counts them. */
export interface AwsRequestCounts {
  readonly requests: number;
  /** Answered with an error, or not answered (throttling included). */
  readonly errors: number;
  /** Refused for exceeding a rate (ThrottlingException and its kin). */
  readonly throttled: number;
}

export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
}

/**
 * How old a rendering of the exporter's own metrics may be served: the process gauges (CPU, memory, event loop)
 * move on their own, and so do the AWS request series during a collection; every other series is re-rendered as
 * soon as it changes.
 */
const MAX_RENDER_AGE_MS = 1000;

/** The exporter's own metrics, updated as things happen and read at scrape time. */
export class SelfMetrics {
  readonly registry = new Registry();
  /** Bumped by every change to a series, so a scrape after it renders anew. */
  private generation = 0;
  /** The newest rendering started, and the newest finished: served while a rendering that is only due to age runs. */
  private rendering: { readonly generation: number; readonly at: number; readonly part: Promise<ExpositionPart> } | undefined;
  private rendered: { readonly generation: number; readonly at: number; readonly part: ExpositionPart } | undefined;
  private readonly collectionDuration: Histogram;
  private readonly lastCollection: Gauge;
  private readonly lastCollectionSuccess: Gauge;
  private readonly collections: Counter;
  private readonly collectionsSkipped: Counter;
  private readonly scheduleInterval: Gauge;
  private readonly awsRequests: Counter;
  private readonly awsRetries: Counter;
  private readonly awsDuration: Histogram;
  private readonly reloadSuccessful: Gauge;
  private readonly reloadSuccessTimestamp: Gauge;
  private readonly refreshes: Counter;
  private readonly lastRefreshSuccess: Gauge;
  private readonly discoveredTargets: Gauge;
  /** Made at the first write: without a state_file the series does not exist (a 0 would say a write failed). */
  private stateWriteSuccessful: Gauge | undefined;

  constructor(build: BuildInfo) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    for (const name of MISNAMED_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    new Gauge({
      name: 'aws_resolution_exporter_build_info',
      help: 'Always 1; labels carry the exporter version, the source revision it was built from and the Node.js version it runs on.',
      labelNames: ['version', 'revision', 'nodejs_version'],
      registers,
    }).set({ version: build.version, revision: build.revision, nodejs_version: process.version }, 1);
    this.collectionDuration = new Histogram({
      name: 'aws_resolution_exporter_collection_duration_seconds',
      help: 'Wall time of a collection of every target, in seconds.',
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.lastCollection = new Gauge({ name: 'aws_resolution_exporter_last_collection_timestamp_seconds', help: 'When the last collection finished, in seconds since the epoch.', registers });
    this.lastCollectionSuccess = new Gauge({ name: 'aws_resolution_exporter_last_collection_success', help: 'Whether every target succeeded in the last collection: 1 or 0.', registers });
    this.collections = new Counter({ name: 'aws_resolution_exporter_collections_total', help: 'Collections run (at start-up and on each schedule tick).', registers });
    this.collectionsSkipped = new Counter({ name: 'aws_resolution_exporter_collections_skipped_total', help: 'Schedule ticks skipped because the previous collection was still running.', registers });
    this.scheduleInterval = new Gauge({ name: 'aws_resolution_exporter_schedule_interval_seconds', help: 'Seconds between two scheduled collections, from the configured schedule.', registers });
    this.awsRequests = new Counter({
      name: 'aws_resolution_exporter_aws_requests_total',
      help: 'HTTP requests sent to AWS, each retry included, by account and region of the credentials, service, operation and result code (OK or the AWS error name).',
      labelNames: ['aws_account_id', 'aws_region', 'aws_service', 'operation', 'code'],
      registers,
    });
    this.awsRetries = new Counter({
      name: 'aws_resolution_exporter_aws_request_retries_total',
      help: 'Retries the AWS SDK made after a throttled, failed or timed-out request, by account, region, service and operation.',
      labelNames: ['aws_account_id', 'aws_region', 'aws_service', 'operation'],
      registers,
    });
    this.awsDuration = new Histogram({
      name: 'aws_resolution_exporter_aws_request_duration_seconds',
      help: 'Duration of one HTTP request to AWS, in seconds, by account, region, service and operation.',
      labelNames: ['aws_account_id', 'aws_region', 'aws_service', 'operation'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.reloadSuccessful = new Gauge({ name: 'aws_resolution_exporter_config_last_reload_successful', help: 'Whether the last attempt to load the configuration succeeded: 1 or 0.', registers });
    this.refreshes = new Counter({ name: 'aws_resolution_exporter_refreshes_total', help: 'Refreshes run: discovery, GetDomain facts and workflow summaries, every refresh_every_collections collections.', registers });
    this.lastRefreshSuccess = new Gauge({ name: 'aws_resolution_exporter_last_refresh_success', help: 'Whether every read of the last refresh succeeded: 1, or 0 when one failed (what could not be read kept its last known value).', registers });
    this.discoveredTargets = new Gauge({ name: 'aws_resolution_exporter_discovered_targets', help: 'Targets the discoveries found at the last refresh, by kind (identity_resolution, matching, id_mapping).', labelNames: ['kind'], registers });
    this.reloadSuccessTimestamp = new Gauge({ name: 'aws_resolution_exporter_config_last_reload_success_timestamp_seconds', help: 'When the configuration was last loaded successfully, in seconds since the epoch.', registers });
  }

  /**
   * A collection makes dozens of calls a second: were each to force a new rendering, nearly every scrape during
   * it would wait for one. Their series are rendered at most a second late instead, and at once when the
   * collection finishes (collectionFinished changes the generation).
   */
  awsAttempt(attempt: AwsAttempt): void {
    const labels = { aws_account_id: attempt.accountId, aws_region: attempt.region, aws_service: attempt.service, operation: attempt.operation };
    this.awsRequests.inc({ ...labels, code: attempt.code });
    this.awsDuration.observe(labels, attempt.seconds);
    // Incremented by 0 on a first attempt so the series exists (at 0) from an operation's first call.
    this.awsRetries.inc(labels, attempt.retry ? 1 : 0);
  }

  /** The totals of aws_requests_total over every account, region and operation, for the status page. */
  async awsRequestCounts(): Promise<AwsRequestCounts> {
    const counts = { requests: 0, errors: 0, throttled: 0 };
    for (const { labels, value } of (await this.awsRequests.get()).values) {
      counts.requests += value;
      if (labels.code !== 'OK') counts.errors += value;
      if (THROTTLING_ERROR_NAMES.includes(String(labels.code))) counts.throttled += value;
    }
    return counts;
  }

  collectionFinished(snapshot: CollectionSnapshot): void {
    this.generation++;
    this.collections.inc();
    this.collectionDuration.observe(snapshot.durationSeconds);
    this.lastCollection.set(snapshot.finishedAt);
    this.lastCollectionSuccess.set(snapshot.targets.every((target) => target.up) ? 1 : 0);
  }

  collectionSkipped(): void {
    this.generation++;
    this.collectionsSkipped.inc();
  }

  scheduleIntervalSeconds(seconds: number): void {
    this.generation++;
    this.scheduleInterval.set(seconds);
  }

  refreshFinished(ok: boolean, discovered: readonly TargetConfig[] | undefined): void {
    this.generation++;
    this.refreshes.inc();
    this.lastRefreshSuccess.set(ok ? 1 : 0);
    if (discovered === undefined) return;
    for (const kind of TARGET_KINDS) this.discoveredTargets.set({ kind }, discovered.filter((target) => target.kind === kind).length);
  }

  stateWritten(success: boolean): void {
    this.generation++;
    this.stateWriteSuccessful ??= new Gauge({
      name: 'aws_resolution_exporter_state_file_last_write_successful',
      help: 'Whether the last write of the state file, after a collection, succeeded: 1 or 0.',
      registers: [this.registry],
    });
    this.stateWriteSuccessful.set(success ? 1 : 0);
  }

  configLoaded(success: boolean, atSeconds: number): void {
    this.generation++;
    this.reloadSuccessful.set(success ? 1 : 0);
    if (success) this.reloadSuccessTimestamp.set(atSeconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * The exposition of these metrics, encoded for serving, and shared by the scrapes in between. After a change
   * to a series a scrape waits for the new rendering, so that it sees the change; when the last one is only older
   * than a second, it gets that one while the next renders, so that no scrape waits for the process gauges.
   */
  part(): Promise<ExpositionPart> {
    const now = performance.now();
    if (this.rendering?.generation !== this.generation) return this.render(now);
    if (now - this.rendering.at > MAX_RENDER_AGE_MS) void this.render(now).catch(() => undefined);
    return this.rendered?.generation === this.generation ? Promise.resolve(this.rendered.part) : this.rendering.part;
  }

  private render(now: number): Promise<ExpositionPart> {
    const { generation } = this;
    const part = this.text().then(encodePart);
    this.rendering = { generation, at: now, part };
    part.then(
      (done) => { if ((this.rendered?.at ?? Number.NEGATIVE_INFINITY) < now) this.rendered = { generation, at: now, part: done }; },
      // A failed rendering is not kept: the next scrape tries again.
      () => { if (this.rendering?.part === part) this.rendering = undefined; },
    );
    return part;
  }
}
