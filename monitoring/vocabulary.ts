/** Words the alerts and the dashboards share, for what the exporter names in snake case. */
import type { TargetKind } from '../src/model/kinds.js';

/** A run's key counts (the exporter's volumes), as a sentence names them. */
export const VOLUME_WORDS: Readonly<Record<string, string>> = {
  profiles_reviewed: 'profiles reviewed',
  matches_found: 'matches found',
  merges_done: 'merges done',
  input_records: 'input records',
  records_processed: 'records processed',
  match_ids: 'match IDs',
  mapped_records: 'records mapped',
};

/** What each kind's match rate divides by what. */
export const MATCH_RATE_WORDS: Readonly<Record<TargetKind, string>> = {
  identity_resolution: 'merges done per profile reviewed',
  matching: 'match IDs per input record',
  id_mapping: 'records mapped per input record',
};
