import { partition } from '@aws-sdk/util-endpoints';
import { closest, distance } from 'fastest-levenshtein';

/**
 * Region names checked against the AWS SDK's own partition data (`partition()` of @aws-sdk/util-endpoints):
 * a region the SDK lists comes back with its description; any other name gets only the outputs of the partition
 * its pattern falls in, and AWS would answer it with an unresolvable endpoint.
 */

/** The partition a region belongs to (`aws`, `aws-cn`, `aws-us-gov`, …), as the SDK resolves its endpoints. */
export function partitionOf(region: string): string {
  return partition(region).name;
}

/** The SDK's answer for a region it lists carries the region's own description (US East (N. Virginia)…). */
export function isKnownRegion(region: string): boolean {
  return 'description' in partition(region);
}

/**
 * The SDK only answers for a name it is given, so the candidates for "did you mean" are the names shaped like
 * AWS's regions (area, direction, number) that the SDK knows.
 */
const AREAS = ['us', 'eu', 'ap', 'sa', 'ca', 'me', 'af', 'il', 'mx', 'cn', 'us-gov', 'us-iso', 'us-isob', 'us-isof', 'eu-isoe', 'eusc-de'];
const DIRECTIONS = ['central', 'north', 'south', 'east', 'west', 'northeast', 'northwest', 'southeast', 'southwest'];
const NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8, 9];
/** A name further than this from every known region is no typo of one. */
const MAX_TYPO_DISTANCE = 3;

let knownRegions: readonly string[] | undefined;

function regionsTheSdkKnows(): readonly string[] {
  knownRegions ??= AREAS.flatMap((area) => DIRECTIONS.flatMap((direction) => NUMBERS.map((n) => `${area}-${direction}-${n}`))).filter(isKnownRegion);
  return knownRegions;
}

/** Why `region` cannot be called, with the nearest known region as a suggestion; undefined for a known region. */
export function regionProblem(region: string): string | undefined {
  if (isKnownRegion(region)) return undefined;
  const known = regionsTheSdkKnows();
  // Region names are lower case; a name in capitals is the typo of the same name.
  const typed = region.toLowerCase();
  const nearest = closest(typed, known);
  const hint = distance(typed, nearest) <= MAX_TYPO_DISTANCE ? `; did you mean ${JSON.stringify(nearest)}?` : ' (see https://docs.aws.amazon.com/general/latest/gr/rande.html)';
  return `${JSON.stringify(region)} is not an AWS region the AWS SDK knows${hint}`;
}
