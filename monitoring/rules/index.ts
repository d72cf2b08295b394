/** Every rule group the exporter ships: the recording rules, then the alerts, per kind of target and for the exporter. */
import type { MonitoringOptions } from '../options.js';
import { exporterAlertGroup } from './exporterAlerts.js';
import { RuleContext, type AlertRule, type RecordingRule, type RuleGroup } from './model.js';
import { recordingRuleGroup } from './recordingRules.js';
import { targetAlertGroups } from './targetAlerts.js';

export interface RuleSet {
  readonly recording: readonly RuleGroup<RecordingRule>[];
  readonly alerting: readonly RuleGroup<AlertRule>[];
}

export function ruleSet(options: MonitoringOptions): RuleSet {
  const context = new RuleContext(options);
  return {
    recording: [recordingRuleGroup(context)],
    alerting: [...targetAlertGroups(context), exporterAlertGroup(context)],
  };
}

export type { AlertRule, RecordingRule, RuleGroup } from './model.js';
