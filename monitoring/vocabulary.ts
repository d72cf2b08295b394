/** Words the alerts and the dashboards share, for what the exporter names in snake case. */

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
