/**
 * The alerts about one kind of target (domain, matching workflow, ID-mapping workflow). Each is keyed by the
 * target, never by a job: a further failed run is the same alert, the next success resolves it. Each stands on
 * the target-level series, present in summary mode too, and compares with the target's own expectations
 * (the exporter's `…_expected_*` series), never with a literal threshold.
 */
import { KIND_SPECS } from '../../src/collect/kinds.js';
import { KIND_NAMING } from '../../src/metrics/targetFamilies.js';
import { VOLUME_WORDS } from '../vocabulary.js';
import { expectation, nested, targetIdentity, type AlertRule, type RuleContext, type RuleGroup } from './model.js';
import type { TargetKind } from '../../src/model/kinds.js';

/** The alert names' middle part, per kind. */
export const KIND_ALERT_NAMES: Readonly<Record<TargetKind, string>> = {
  identity_resolution: 'IdentityResolution',
  matching: 'Matching',
  id_mapping: 'IdMapping',
};

/** The newest finished job and AWS's message about it, from latest_finished_job_info. */
const LATEST_JOB = ' Latest: job {{ . | first | label "job_id" }}.{{ with . | first | label "message" }} AWS says: {{ . }}{{ end }}';

const capitalized = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
/** "A matching job", "An identity-resolution job", "An ID-mapping job". */
const withArticle = (noun: string): string => `${/^[aeiouAEIOU]/.test(noun) ? 'An' : 'A'} ${noun}`;

/** One kind's alerts, with the PromQL they share. */
class KindAlerts {
  private readonly spec;
  private readonly prefix: string;
  private readonly targetLabel: string;
  private readonly what: string;
  private readonly targetWhat: string;
  private readonly name: string;
  private readonly on: string;
  /** The alert's own labels that narrow a template query to its target. */
  private readonly narrowing: readonly string[];

  constructor(private readonly context: RuleContext, private readonly kind: TargetKind) {
    this.spec = KIND_SPECS[kind];
    ({ prefix: this.prefix, targetLabel: this.targetLabel, what: this.what, targetWhat: this.targetWhat } = KIND_NAMING[kind]);
    this.name = `AWSResolution${KIND_ALERT_NAMES[kind]}`;
    this.on = `on (${targetIdentity(this.targetLabel)})`;
    this.narrowing = ['instance', 'aws_account_id', 'aws_region', this.targetLabel];
  }

  private series(suffix: string, ...matchers: string[]): string {
    return this.context.series(`${this.prefix}${suffix}`, ...matchers);
  }

  private expected(suffix: string): string {
    return expectation(this.context, `${this.prefix}expected_${suffix}`);
  }

  /** A template that reads one of the target's own series (narrowed to it) and renders `body` with it. */
  private lookup(suffix: string, body: string, otherwise = ''): string {
    const narrowed = this.context.series(`${this.prefix}${suffix}`, ...this.narrowing.map((label) => `${label}=%q`));
    return this.context.query(narrowed, this.narrowing, body, otherwise);
  }

  /** "matching workflow dedupe (account 1, region r)". */
  private get where(): string {
    return `${this.targetWhat} {{ $labels.${this.targetLabel} }} (account {{ $labels.aws_account_id }}, region {{ $labels.aws_region }})`;
  }

  // ---------------------------------------------------------------------------------------- conditions

  /** The newest finished job failed; the value is how many in a row did. */
  private get failed(): string {
    return `${this.series('consecutive_failed_jobs')} > 0`;
  }

  /** The newest job has run longer than the target's runs may; the value is how long. */
  private get runningTooLong(): string {
    return `${this.series('latest_job_running_seconds')}\n> ${this.on}\n${this.expected('max_duration_seconds')}`;
  }

  /**
   * The newest job has waited longer than it may; the value is how long. Entity Resolution runs one job of a
   * kind at a time per account and region, so a job queued while another of its kind runs there waits its turn:
   * only the runner can be stuck, and it has its own alert.
   */
  private get waitingTooLong(): string {
    const waiting = `${this.series('latest_job_queued_seconds')}\n> ${this.on}\n${this.expected('max_queued_seconds')}`;
    if (this.kind === 'identity_resolution') return waiting;
    return `(\n  ${nested(waiting)}\n)\nunless on (aws_account_id, aws_region)\n${this.series('latest_job_running_seconds')}`;
  }

  /** The domain's weekly run was due longer ago than a run may be late, and no job has started since. */
  private get scheduledRunNotStarted(): string {
    const previous = this.series('previous_scheduled_run_timestamp_seconds');
    return [
      `(`,
      `  time() - ${previous}`,
      `  > ${this.on}`,
      `  ${this.expected('max_queued_seconds')}`,
      `)`,
      `and ${this.on}`,
      `(${this.context.series('aws_customer_profiles_domain_identity_resolution_enabled')} == 1)`,
      `unless ${this.on}`,
      // A job due later (PENDING with a start still ahead) has not started.
      `((${this.series('latest_job_start_timestamp_seconds')} <= time()) >= ${this.on} ${previous})`,
    ].join('\n');
  }

  /**
   * No success within the interval plus a run: the next run should have started within the interval and
   * finished within its maximum duration. A target that never succeeded counts from its oldest job seen.
   * Not while its runs fail: JobFailed, critical too, already pages for that. A run that is late, stuck or
   * waiting has its warning first; once the success it holds up is overdue, this pages.
   */
  private get noRecentSuccess(): string {
    return [
      `(`,
      `  time() - (${this.series('last_success_timestamp_seconds')} or ${this.series('earliest_job_start_timestamp_seconds')})`,
      `)`,
      `> ${this.on}`,
      `(`,
      `  ${this.expected('interval_seconds')}`,
      `  + ${this.on}`,
      `  ${this.expected('max_duration_seconds')}`,
      `)`,
      `unless ${this.on}`,
      `(${this.failed})`,
    ].join('\n');
  }

  /** A key count of the newest successful run as a share of its recent median (none while the median is 0). */
  private ratio(volume: string): string {
    return `(${this.series(`last_success_${volume}`)} / ${this.on} (${this.series(`recent_median_${volume}`)} > 0))`;
  }

  private below(volume: string): string {
    return `${this.ratio(volume)} < ${this.on} ${this.expected('volume_min_ratio')}`;
  }

  private above(volume: string): string {
    return `${this.ratio(volume)} > ${this.on} ${this.expected('volume_max_ratio')}`;
  }

  private get emptyRun(): string {
    return this.spec.emptyRunVolumes.map((volume) => `(${this.series(`last_success_${volume}`)} == 0)`).join('\nor\n');
  }

  private get volumes(): readonly string[] {
    return Object.keys(this.spec.volumes);
  }

  // ---------------------------------------------------------------------------------------- alerts

  alerts(): AlertRule[] {
    const { context, what, targetWhat, name } = this;
    const queuedStatus = [...this.spec.statuses.queued].join(' or ');
    const success = [...this.spec.statuses.success].join(' or ');
    const latestJob = (body: string): string => this.lookup('latest_finished_job_info', body);
    const maxOf = (suffix: string): string => this.lookup(`expected_${suffix}`, '{{ . | first | value | humanizeDuration }} ({{ . | first | label "source" }})');
    const ratioOf = (suffix: string): string => this.lookup(`expected_${suffix}`, '{{ . | first | value }}');
    const counts = (volumes: readonly string[]): string => volumes.map((volume) => `${VOLUME_WORDS[volume] ?? volume} ${this.lookup(`last_success_${volume}`, '{{ . | first | value | humanize }}')}${this.lookup(`recent_median_${volume}`, ' (median {{ . | first | value | humanize }})')}`).join(', ');
    const kindLabel = { kind: this.kind };
    const rules: AlertRule[] = [
      context.alert({
        alert: `${name}JobFailed`,
        comment: `The ${targetWhat}'s newest finished job failed. One alert per ${targetWhat}, not per job: a further failed run keeps it (same labels, same activeAt), the next run that does not fail resolves it. No 'for': a final status does not change.`,
        expr: this.failed,
        severity: 'critical',
        labels: kindLabel,
        summary: `The newest ${what} failed.`,
        // AWS's message comes last: it may end in a full stop of its own.
        description: `The newest finished ${what} of ${this.where} failed, {{ $value }} in a row; the alert stays while the runs keep failing and resolves when one does not.${latestJob(LATEST_JOB)}`,
      }),
      context.alert({
        alert: `${name}NoRecentSuccess`,
        comment: `No ${success} job within the ${targetWhat}'s expected interval plus its maximum run time (each from its config, schedule, history or default; see the expected_* series), or never one since the oldest job seen. Silent while its runs fail (JobFailed pages for that); a run late, stuck or waiting gets its warning first, and this pages once the success it holds up is overdue.`,
        expr: this.noRecentSuccess,
        for: '15m',
        severity: 'critical',
        labels: kindLabel,
        summary: `${withArticle(targetWhat)} has had no successful ${what} for longer than its runs allow.`,
        description: `${capitalized(this.where)} has had no ${success} ${what} for {{ $value | humanizeDuration }}${this.lookup('last_success_timestamp_seconds', '', ' (none seen since its oldest job)')}, longer than its expected interval ${maxOf('interval_seconds')} plus a run of at most ${maxOf('max_duration_seconds')}.`,
      }),
      context.alert({
        alert: `${name}JobRunningTooLong`,
        comment: `The ${targetWhat}'s newest job has run longer than its runs may (expected_max_duration_seconds).`,
        expr: this.runningTooLong,
        for: '5m',
        severity: 'warning',
        labels: kindLabel,
        summary: `${withArticle(what)} runs longer than the runs of its ${targetWhat} may.`,
        description: `The newest ${what} of ${this.where} has been running for {{ $value | humanizeDuration }}, longer than the ${maxOf('max_duration_seconds')} a run of it may take.`,
      }),
      context.alert({
        alert: `${name}JobStuck${capitalized(queuedStatus.toLowerCase())}`,
        comment: this.kind === 'identity_resolution'
          ? `The domain's newest job has been ${queuedStatus} past its start time longer than a job may wait (expected_max_queued_seconds).`
          : `The workflow's newest job has been ${queuedStatus} longer than a job may wait, while no ${what} runs in its account and region: Entity Resolution runs one at a time there, so a job queued behind a running one waits its turn and only a stuck runner pages (JobRunningTooLong).`,
        expr: this.waitingTooLong,
        for: '5m',
        severity: 'warning',
        labels: kindLabel,
        summary: `${withArticle(what)} has waited to start longer than it may.`,
        description: `The newest ${what} of ${this.where} has been ${queuedStatus} for {{ $value | humanizeDuration }}, longer than the ${maxOf('max_queued_seconds')} a job may wait${this.kind === 'identity_resolution' ? '' : `, and no other ${what} runs in the account and region (Entity Resolution runs one at a time there, so none is ahead of it)`}.`,
      }),
      ...(this.kind === 'identity_resolution' ? this.identityResolutionOnly() : []),
      context.alert({
        alert: `${name}EmptyRun`,
        comment: `The newest successful run read or produced nothing: a run that succeeds on an empty or missing input is the classic silent failure of a data pipeline.`,
        expr: this.emptyRun,
        severity: 'warning',
        labels: kindLabel,
        summary: `The newest successful ${what} read or produced nothing.`,
        description: `The newest ${success} ${what} of ${this.where} read or produced nothing: ${counts(this.spec.emptyRunVolumes)}. Check its input.`,
      }),
      context.alert({
        alert: `${name}VolumeOutOfRange`,
        comment: `A key count of the newest successful run fell below, or rose above, the range its recent median allows (expected_volume_min_ratio, expected_volume_max_ratio)${this.spec.mergeVolume === undefined ? '' : `; merges above it are ${name}OverMerging`}. The value is the first such count's share of its median.`,
        expr: this.volumeOutOfRange(),
        severity: 'warning',
        labels: kindLabel,
        summary: `A successful ${what} read or produced far more or far less than usual.`,
        description: `A key count of the newest ${success} ${what} of ${this.where} is {{ $value | humanizePercentage }} of its recent median, outside ${ratioOf('volume_min_ratio')} to ${ratioOf('volume_max_ratio')} times it: ${counts(this.volumes)}.`,
      }),
    ];
    return rules;
  }

  private volumeOutOfRange(): string {
    const checks = this.volumes.flatMap((volume) => [this.below(volume), ...(volume === this.spec.mergeVolume ? [] : [this.above(volume)])]);
    return `(\n  ${checks.map((check) => nested(check)).join('\n  or\n  ')}\n)\nunless ${this.on}\n(\n  ${nested(this.emptyRun)}\n)`;
  }

  private identityResolutionOnly(): AlertRule[] {
    const { context, what } = this;
    const merges = this.spec.mergeVolume ?? 'merges_done';
    return [
      context.alert({
        alert: `${this.name}ScheduledRunNotStarted`,
        comment: 'The domain\'s weekly run (Matching.JobSchedule, or Saturday 00:00 UTC) was due longer ago than a run may be late (expected_max_queued_seconds), and no job has started since.',
        expr: this.scheduledRunNotStarted,
        for: '15m',
        severity: 'warning',
        labels: { kind: this.kind },
        summary: 'A scheduled identity-resolution run has not started.',
        description: `The weekly identity-resolution run of ${this.where} was due {{ $value | humanizeDuration }} ago${this.lookup('previous_scheduled_run_timestamp_seconds', ' (at {{ . | first | value | humanizeTimestamp }})')}, more than the ${this.lookup('expected_max_queued_seconds', '{{ . | first | value | humanizeDuration }}')} a run may be late, and no job of the domain has started since.`,
      }),
      context.alert({
        alert: `${this.name}JobPartialSuccess`,
        comment: 'The domain\'s newest finished job ended PARTIAL_SUCCESS: some profiles were not resolved or merged.',
        expr: `max without (job_id, status, message) (${this.series('latest_finished_job_info', 'status="PARTIAL_SUCCESS"')})`,
        severity: 'info',
        labels: { kind: this.kind },
        summary: `${withArticle(what)} ended in PARTIAL_SUCCESS.`,
        description: `The newest finished ${what} of ${this.where} ended in PARTIAL_SUCCESS: some profiles were not resolved or merged.${this.lookup('latest_finished_job_info', LATEST_JOB)}`,
      }),
      context.alert({
        alert: `${this.name}OverMerging`,
        comment: 'The newest COMPLETED job merged more profiles than the range of its recent median allows: over-merging, the costly failure of identity resolution, pages.',
        expr: this.above(merges),
        severity: 'critical',
        labels: { kind: this.kind },
        summary: 'An identity-resolution job merged far more profiles than usual.',
        description: `The newest COMPLETED ${what} of ${this.where} merged {{ $value | humanizePercentage }} of its recent median number of profiles (merges ${this.lookup(`last_success_${merges}`, '{{ . | first | value | humanize }}')}${this.lookup(`recent_median_${merges}`, ', median {{ . | first | value | humanize }}')}), more than the ${this.lookup('expected_volume_max_ratio', '{{ . | first | value }}')} times allowed: profiles may have been merged wrongly.`,
      }),
    ];
  }
}

/** The alert groups of every kind of target. */
export function targetAlertGroups(context: RuleContext): RuleGroup<AlertRule>[] {
  return (['identity_resolution', 'matching', 'id_mapping'] as const).map((kind) => ({
    name: `aws-resolution-${kind.replace('_', '-')}.alerts`,
    rules: new KindAlerts(context, kind).alerts(),
  }));
}
