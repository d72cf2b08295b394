/**
 * The alerts about one kind of target (domain, matching workflow, ID-mapping workflow). Each is keyed by the
 * target, never by a job or by the exporter process that reports it: a further failed run is the same alert,
 * the next success resolves it, and a restarted or replaced exporter keeps it. Each stands on the target-level
 * series, present in summary mode too, and compares with the target's own expectations (the exporter's
 * `…_expected_*` series), never with a literal threshold. Severity follows the consequence: what the next run
 * will soon restore warns; what costs freshness it will not soon restore pages.
 */
import { KIND_SPECS, MATCH_RATE, RECORDS_NOT_PROCESSED_RATIO } from '../../src/collect/kinds.js';
import { KIND_NAMING, MATCH_RATE_WORDS } from '../../src/metrics/targetFamilies.js';
import { VOLUME_WORDS } from '../vocabulary.js';
import { expectation, nested, targetIdentity, type AlertRule, type AlertSpec, type RuleContext, type RuleGroup } from './model.js';
import type { TargetKind } from '../../src/model/kinds.js';

/** The alert names' middle part, per kind. */
export const KIND_ALERT_NAMES: Readonly<Record<TargetKind, string>> = {
  identity_resolution: 'IdentityResolution',
  matching: 'Matching',
  id_mapping: 'IdMapping',
};

/** The newest finished job and AWS's message about it, from latest_finished_job_info. */
const LATEST_JOB = ' Latest: job {{ . | first | label "job_id" }}.{{ with . | first | label "message" }} AWS says: {{ . }}{{ end }}';

/** An expectation of a duration, with where it comes from. */
const DURATION_AND_SOURCE = '{{ . | first | value | humanizeDuration }} ({{ . | first | label "source" }})';

/** A domain's rule-based matching: the status it is in (a stateset), since when not ACTIVE, and for how long it may not be. */
const RULE_BASED_MATCHING = 'aws_customer_profiles_rule_based_matching_';

const capitalized = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** One kind's alerts, with the PromQL they share. */
class KindAlerts {
  private readonly spec;
  private readonly prefix: string;
  private readonly targetLabel: string;
  private readonly what: string;
  private readonly targetWhat: string;
  private readonly name: string;
  /** Matches a target's series one to one, within one exporter process: for `and`, `or` and `unless`. */
  private readonly on: string;
  /**
   * The same, for arithmetic and comparisons: their result keeps the left side's labels (those a service
   * discovery adds, such as namespace and service, too), not only the matched ones, so every alert of a target
   * carries the same labels.
   */
  private readonly onKeepingLeft: string;
  /** The alert's own labels that narrow a template query to its target. */
  private readonly narrowing: readonly string[];

  constructor(private readonly context: RuleContext, private readonly kind: TargetKind) {
    this.spec = KIND_SPECS[kind];
    ({ prefix: this.prefix, targetLabel: this.targetLabel, what: this.what, targetWhat: this.targetWhat } = KIND_NAMING[kind]);
    this.name = `AWSResolution${KIND_ALERT_NAMES[kind]}`;
    this.on = `on (${targetIdentity(this.targetLabel)})`;
    this.onKeepingLeft = `${this.on} group_left ()`;
    this.narrowing = ['aws_account_id', 'aws_region', this.targetLabel];
  }

  private series(suffix: string, ...matchers: string[]): string {
    return this.context.series(`${this.prefix}${suffix}`, ...matchers);
  }

  private expected(suffix: string): string {
    return expectation(this.context, `${this.prefix}expected_${suffix}`);
  }

  /** A selector of one of the target's series for a template query: each %q one of the alert's {@link narrowing} labels. */
  private narrowed(name: string): string {
    return this.context.series(name, ...this.narrowing.map((label) => `${label}=%q`));
  }

  /** A template that reads one of the target's own series (narrowed to it) and renders `body` with it. */
  private lookup(suffix: string, body: string, otherwise = ''): string {
    return this.context.query(this.narrowed(`${this.prefix}${suffix}`), this.narrowing, body, otherwise);
  }

  /** "matching workflow dedupe (account 1, region r)". */
  private get where(): string {
    return `${this.targetWhat} {{ $labels.${this.targetLabel} }} (account {{ $labels.aws_account_id }}, region {{ $labels.aws_region }})`;
  }

  /** A summary that names the target first: "Matching workflow dedupe (1, us-east-1): <what>". */
  private summary(what: string): string {
    return `${capitalized(this.targetWhat)} {{ $labels.${this.targetLabel} }} ({{ $labels.aws_account_id }}, {{ $labels.aws_region }}): ${what}`;
  }

  private alert(spec: Omit<AlertSpec, 'labels'>): AlertRule {
    return this.context.targetAlert({ ...spec, expr: this.context.withTagLabels(this.kind, spec.expr), labels: { kind: this.kind } });
  }

  // ---------------------------------------------------------------------------------------- conditions

  /** The newest finished job failed; the value is how many in a row did. */
  private get failed(): string {
    return `${this.series('consecutive_failed_jobs')} > 0`;
  }

  /**
   * A failure that costs freshness the next run will not soon restore: as many failures in a row as the target
   * pages at (1 for one expected to run daily or less often), or a failure of a target that never succeeded.
   */
  private get failedPaging(): string {
    return [
      this.series('consecutive_failed_jobs'),
      `>= ${this.onKeepingLeft}`,
      this.expected('failed_jobs_to_page'),
      `or`,
      `(${this.failed})`,
      `unless ${this.on}`,
      this.series('last_success_timestamp_seconds'),
    ].join('\n');
  }

  /** The newest job has run longer than the target's runs may; the value is how long. */
  private get runningTooLong(): string {
    return `${this.series('latest_job_running_seconds')}\n> ${this.onKeepingLeft}\n${this.expected('max_duration_seconds')}`;
  }

  /**
   * The newest job has waited longer than it may; the value is how long. Entity Resolution runs one job of a
   * kind at a time per account and region, so a job queued while another of its kind runs there waits its turn:
   * only the runner can be stuck, and it has its own alert.
   */
  private get waitingTooLong(): string {
    const waiting = `${this.series('latest_job_queued_seconds')}\n> ${this.onKeepingLeft}\n${this.expected('max_queued_seconds')}`;
    if (this.kind === 'identity_resolution') return waiting;
    return `(\n  ${nested(waiting)}\n)\nunless on (aws_account_id, aws_region)\n${this.series('latest_job_running_seconds')}`;
  }

  /** The domain's weekly run was due longer ago than a run may be late, and no job has started since. */
  private get scheduledRunNotStarted(): string {
    const previous = this.series('previous_scheduled_run_timestamp_seconds');
    return [
      `(`,
      `  time() - ${previous}`,
      `  > ${this.onKeepingLeft}`,
      `  ${this.expected('max_queued_seconds')}`,
      `)`,
      `and ${this.on}`,
      `(${this.context.series('aws_customer_profiles_domain_identity_resolution_enabled')} == 1)`,
      `unless ${this.on}`,
      // A job due later (PENDING with a start still ahead) has not started.
      `((${this.series('latest_job_start_timestamp_seconds')} <= time()) >= ${this.onKeepingLeft} ${previous})`,
    ].join('\n');
  }

  /**
   * No success within the target's freshness budget: as many intervals as the failures it pages at, plus a run.
   * The next run should have started within the interval and finished within its maximum duration; a target
   * that pages at its third failure in a row may miss (or fail) two runs before its freshness is at stake. A
   * target that never succeeded counts from its oldest job seen. Failing runs do not silence it.
   */
  private get noRecentSuccess(): string {
    return [
      `(`,
      `  time() - (${this.series('last_success_timestamp_seconds')} or ${this.series('earliest_job_start_timestamp_seconds')})`,
      `)`,
      `> ${this.onKeepingLeft}`,
      `(`,
      `  ${this.expected('failed_jobs_to_page')}`,
      `  * ${this.on}`,
      `  ${this.expected('interval_seconds')}`,
      `  + ${this.on}`,
      `  ${this.expected('max_duration_seconds')}`,
      `)`,
    ].join('\n');
  }

  /** A count or rate of the newest successful run as a share of its recent median (none while the median is 0). */
  private ratio(name: string): string {
    return `(${this.series(`last_success_${name}`)} / ${this.onKeepingLeft} (${this.series(`recent_median_${name}`)} > 0))`;
  }

  /** `name`'s share of its median below the expectation `minimum` (a `…_min_ratio`). */
  private below(name: string, minimum = 'volume_min_ratio'): string {
    return `${this.ratio(name)} < ${this.onKeepingLeft} ${this.expected(minimum)}`;
  }

  private above(name: string, maximum = 'volume_max_ratio'): string {
    return `${this.ratio(name)} > ${this.onKeepingLeft} ${this.expected(maximum)}`;
  }

  private get emptyRun(): string {
    return this.spec.emptyRunVolumes.map((volume) => `(${this.series(`last_success_${volume}`)} == 0)`).join('\nor\n');
  }

  private get volumes(): readonly string[] {
    return Object.keys(this.spec.volumes);
  }

  // ---------------------------------------------------------------------------------------- alerts

  alerts(): AlertRule[] {
    const { what, targetWhat, name } = this;
    const queuedStatus = [...this.spec.statuses.queued].join(' or ');
    const success = [...this.spec.statuses.success].join(' or ');
    const latestJob = (body: string): string => this.lookup('latest_finished_job_info', body);
    const maxOf = (suffix: string): string => this.lookup(`expected_${suffix}`, DURATION_AND_SOURCE);
    const valueOf = (suffix: string, format = ''): string => this.lookup(`expected_${suffix}`, `{{ . | first | value${format} }}`);
    const sourced = (suffix: string, format = ''): string => this.lookup(`expected_${suffix}`, `{{ . | first | value${format} }} ({{ . | first | label "source" }})`);
    const counts = (volumes: readonly string[]): string => volumes.map((volume) => `${VOLUME_WORDS[volume] ?? volume} ${this.lookup(`last_success_${volume}`, '{{ . | first | value | humanize }}')}${this.lookup(`recent_median_${volume}`, ' (median {{ . | first | value | humanize }})')}`).join(', ');
    const failures = `{{ $value }} in a row; it pages at ${sourced('failed_jobs_to_page')} in a row, or at once if the ${targetWhat} never succeeded`;
    const jobFailed = {
      alert: `${name}JobFailed`,
      comment: `The ${targetWhat}'s newest finished job failed. One alert per ${targetWhat}, not per job: a further failed run keeps it (same labels, same activeAt), the next run that does not fail resolves it. No 'for': a final status does not change.`,
      summary: this.summary(`the newest ${what} failed.`),
    };
    const rules: AlertRule[] = [
      this.alert({
        ...jobFailed,
        comment: `${jobFailed.comment} A warning while the next run may soon restore what the failure cost; the critical rule below pages instead once it will not.`,
        expr: `(${this.failed})\nunless ${this.on}\n(\n  ${nested(this.failedPaging)}\n)`,
        severity: 'warning',
        // AWS's message comes last: it may end in a full stop of its own.
        description: `The newest finished ${what} of ${this.where} failed, ${failures}; the next run may restore it.${latestJob(LATEST_JOB)}`,
      }),
      this.alert({
        ...jobFailed,
        comment: `${jobFailed.comment} Pages once the failures in a row reach expected_failed_jobs_to_page (1 for a target expected to run daily or less often: its next chance is a day or more away), or at the first failure of a target that never succeeded.`,
        expr: this.failedPaging,
        severity: 'critical',
        description: `The newest finished ${what} of ${this.where} failed, ${failures}: its data is stale and the next run will not soon restore it.${latestJob(LATEST_JOB)}`,
      }),
      this.alert({
        alert: `${name}NoRecentSuccess`,
        comment: `No ${success} job within the ${targetWhat}'s freshness budget: expected_failed_jobs_to_page times its expected interval, plus its maximum run time (each from its config, schedule, history or default; see the expected_* series), or never one since the oldest job seen. Failing runs do not silence it; a run late, stuck or waiting gets its warning first, and this pages once the success it holds up is overdue.`,
        expr: this.noRecentSuccess,
        for: '15m',
        severity: 'critical',
        summary: this.summary(`no successful ${what} for longer than its runs allow.`),
        description: `${capitalized(this.where)} has had no ${success} ${what} for {{ $value | humanizeDuration }}${this.lookup('last_success_timestamp_seconds', '', ' (none seen since its oldest job)')}, longer than ${valueOf('failed_jobs_to_page')} expected interval(s) of ${maxOf('interval_seconds')} plus a run of at most ${maxOf('max_duration_seconds')}.`,
      }),
      this.alert({
        alert: `${name}JobRunningTooLong`,
        comment: `The ${targetWhat}'s newest job has run longer than its runs may (expected_max_duration_seconds).`,
        expr: this.runningTooLong,
        for: '5m',
        severity: 'warning',
        summary: this.summary(`the newest ${what} runs longer than its runs may.`),
        description: `The newest ${what} of ${this.where} has been running for {{ $value | humanizeDuration }}, longer than the ${maxOf('max_duration_seconds')} a run of it may take.`,
      }),
      this.alert({
        alert: `${name}JobStuck${capitalized(queuedStatus.toLowerCase())}`,
        comment: this.kind === 'identity_resolution'
          ? `The domain's newest job has been ${queuedStatus} past its start time longer than a job may wait (expected_max_queued_seconds).`
          : `The workflow's newest job has been ${queuedStatus} longer than a job may wait, while no ${what} runs in its account and region: Entity Resolution runs one at a time there, so a job queued behind a running one waits its turn and only a stuck runner pages (JobRunningTooLong).`,
        expr: this.waitingTooLong,
        for: '5m',
        severity: 'warning',
        summary: this.summary(`the newest ${what} has waited to start longer than it may.`),
        description: `The newest ${what} of ${this.where} has been ${queuedStatus} for {{ $value | humanizeDuration }}, longer than the ${maxOf('max_queued_seconds')} a job may wait${this.kind === 'identity_resolution' ? '' : `, and no other ${what} runs in the account and region (Entity Resolution runs one at a time there, so none is ahead of it)`}.`,
      }),
      ...(this.kind === 'identity_resolution' ? this.identityResolutionOnly() : []),
      this.alert({
        alert: `${name}EmptyRun`,
        comment: `The newest successful run read or produced nothing: a run that succeeds on an empty or missing input is the classic silent failure of a data pipeline.`,
        expr: this.emptyRun,
        severity: 'warning',
        summary: this.summary(`the newest successful ${what} read or produced nothing.`),
        description: `The newest ${success} ${what} of ${this.where} read or produced nothing: ${counts(this.spec.emptyRunVolumes)}. Check its input.`,
      }),
      this.alert({
        alert: `${name}VolumeOutOfRange`,
        comment: `A key count of the newest successful run fell below, or rose above, the range its recent median allows (expected_volume_min_ratio, expected_volume_max_ratio)${this.spec.mergeVolume === undefined ? '' : `; merges above it are ${name}OverMerging`}. The value is the first such count's share of its median.`,
        expr: this.volumeOutOfRange(),
        severity: 'warning',
        summary: this.summary(`a successful ${what} read or produced far more or far less than usual.`),
        description: `A key count of the newest ${success} ${what} of ${this.where} is {{ $value | humanizePercentage }} of its recent median, outside ${valueOf('volume_min_ratio')} to ${valueOf('volume_max_ratio')} times it: ${counts(this.volumes)}.`,
      }),
      ...(RECORDS_NOT_PROCESSED_RATIO in this.spec.rates ? [this.recordsNotProcessed(success, counts)] : []),
      this.alert({
        alert: `${name}MatchRateOutOfRange`,
        comment: `The match rate of the newest successful run (${MATCH_RATE_WORDS[this.kind]}) fell below, or rose above, the range its recent median allows (expected_match_rate_min_ratio, expected_match_rate_max_ratio): what the run made of its input changed, even where its counts stay within their wider range.${this.spec.mergeVolume === undefined ? '' : ` Not while ${name}OverMerging fires: merges above their range already page.`} The value is the rate's share of its median.`,
        expr: this.matchRateOutOfRange(),
        severity: 'warning',
        summary: this.summary(`the match rate of a successful ${what} shifted.`),
        description: `The match rate (${MATCH_RATE_WORDS[this.kind]}) of the newest ${success} ${what} of ${this.where} is {{ $value | humanizePercentage }} of its recent median, outside ${valueOf('match_rate_min_ratio')} to ${valueOf('match_rate_max_ratio')} times it: ${this.lookup(`last_success_${MATCH_RATE}`, '{{ . | first | value | humanizePercentage }}')}${this.lookup(`recent_median_${MATCH_RATE}`, ' (median {{ . | first | value | humanizePercentage }})')}; ${counts(this.volumes)}.`,
      }),
      ...(this.kind === 'identity_resolution' ? [this.ruleBasedMatchingNotActive()] : []),
    ];
    return rules;
  }

  private recordsNotProcessed(success: string, counts: (volumes: readonly string[]) => string): AlertRule {
    const share = `last_success_${RECORDS_NOT_PROCESSED_RATIO}`;
    return this.alert({
      alert: `${this.name}RecordsNotProcessed`,
      comment: `The newest successful run left a larger share of its input records unprocessed than the ${this.targetWhat}'s history allows (expected_max_records_not_processed_ratio: its recent median share plus 5 points, 5 % without history): a run that succeeds while dropping records is a silent loss. Not for a run that processed nothing: ${this.name}EmptyRun says so.`,
      expr: `(\n  ${this.series(share)}\n  > ${this.onKeepingLeft}\n  ${this.expected('max_records_not_processed_ratio')}\n)\nunless ${this.on}\n(\n  ${nested(this.emptyRun)}\n)`,
      severity: 'warning',
      summary: this.summary(`a successful ${this.what} left records unprocessed.`),
      description: `The newest ${success} ${this.what} of ${this.where} left {{ $value | humanizePercentage }} of its input records unprocessed, more than the ${this.lookup('expected_max_records_not_processed_ratio', '{{ . | first | value | humanizePercentage }} ({{ . | first | label "source" }})')} its runs may${this.lookup(`recent_median_${RECORDS_NOT_PROCESSED_RATIO}`, ' (recent median {{ . | first | value | humanizePercentage }})')}: ${counts(this.volumes)}.`,
    });
  }

  /**
   * A domain whose rule-based matching is on runs no identity-resolution jobs: its status is its only health
   * signal. The inactive-since series is there only while the matching is enabled and not ACTIVE.
   */
  private ruleBasedMatchingNotActive(): AlertRule {
    const inactiveFor = `time() - ${this.context.series(`${RULE_BASED_MATCHING}inactive_since_timestamp_seconds`)}`;
    const status = this.context.query(`${this.narrowed(`${RULE_BASED_MATCHING}status`)} == 1`, this.narrowing, ' (now {{ . | first | label "status" }})');
    return this.alert({
      alert: 'AWSResolutionRuleBasedMatchingNotActive',
      comment: 'The domain\'s rule-based matching is enabled and has not been ACTIVE (PENDING: an existing domain waits an hour; IN_PROGRESS: AWS evaluates the existing data) for longer than its allowance (expected_max_inactive_seconds): its rules are not in use. For 15 minutes, as the other overdue alerts.',
      expr: `${inactiveFor}\n> ${this.onKeepingLeft}\n${expectation(this.context, `${RULE_BASED_MATCHING}expected_max_inactive_seconds`)}`,
      for: '15m',
      severity: 'warning',
      summary: this.summary('rule-based matching has not been ACTIVE for longer than it may take.'),
      description: `Rule-based matching of ${this.where} is enabled and has not been ACTIVE for {{ $value | humanizeDuration }}${status}, longer than the ${this.context.query(this.narrowed(`${RULE_BASED_MATCHING}expected_max_inactive_seconds`), this.narrowing, DURATION_AND_SOURCE)} it may take: its matching rules are not in use.`,
    });
  }

  private volumeOutOfRange(): string {
    const checks = this.volumes.flatMap((volume) => [this.below(volume), ...(volume === this.spec.mergeVolume ? [] : [this.above(volume)])]);
    return `(\n  ${checks.map((check) => nested(check)).join('\n  or\n  ')}\n)\nunless ${this.on}\n(\n  ${nested(this.emptyRun)}\n)`;
  }

  private matchRateOutOfRange(): string {
    const checks = [this.below(MATCH_RATE, 'match_rate_min_ratio'), this.above(MATCH_RATE, 'match_rate_max_ratio')];
    const overMerging = this.spec.mergeVolume === undefined ? '' : `\nunless ${this.on}\n(\n  ${nested(this.above(this.spec.mergeVolume))}\n)`;
    return `(\n  ${checks.map((check) => nested(check)).join('\n  or\n  ')}\n)\nunless ${this.on}\n(\n  ${nested(this.emptyRun)}\n)${overMerging}`;
  }

  private identityResolutionOnly(): AlertRule[] {
    const { what } = this;
    const merges = this.spec.mergeVolume ?? 'merges_done';
    return [
      this.alert({
        alert: `${this.name}ScheduledRunNotStarted`,
        comment: 'The domain\'s weekly run (Matching.JobSchedule, or Saturday 00:00 UTC) was due longer ago than a run may be late (expected_max_queued_seconds), and no job has started since.',
        expr: this.scheduledRunNotStarted,
        for: '15m',
        severity: 'warning',
        summary: this.summary('its scheduled identity-resolution run has not started.'),
        description: `The weekly identity-resolution run of ${this.where} was due {{ $value | humanizeDuration }} ago${this.lookup('previous_scheduled_run_timestamp_seconds', ' (at {{ . | first | value | humanizeTimestamp }})')}, more than the ${this.lookup('expected_max_queued_seconds', '{{ . | first | value | humanizeDuration }}')} a run may be late, and no job of the domain has started since.`,
      }),
      this.alert({
        alert: `${this.name}JobPartialSuccess`,
        comment: 'The domain\'s newest finished job ended PARTIAL_SUCCESS: some profiles were not resolved or merged.',
        expr: `max without (job_id, status, message) (${this.series('latest_finished_job_info', 'status="PARTIAL_SUCCESS"')})`,
        severity: 'info',
        summary: this.summary(`the newest ${what} ended in PARTIAL_SUCCESS.`),
        description: `The newest finished ${what} of ${this.where} ended in PARTIAL_SUCCESS: some profiles were not resolved or merged.${this.lookup('latest_finished_job_info', LATEST_JOB)}`,
      }),
      this.alert({
        alert: `${this.name}OverMerging`,
        comment: 'The newest COMPLETED job merged more profiles than the range of its recent median allows: over-merging, the costly failure of identity resolution, pages.',
        expr: this.above(merges),
        severity: 'critical',
        summary: this.summary(`an ${what} merged far more profiles than usual.`),
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
