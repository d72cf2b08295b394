import { sdkDefaultRegion } from '../aws/clients.js';
import { ConfigError } from '../config/load.js';
import type { ExporterConfig } from '../config/types.js';

/** How many target names the problem line shows before "and N more". */
const NAMES_SHOWN = 3;

/**
 * Refuses a configuration that leaves a target or a discovery without a region when the SDK has none to give:
 * otherwise it would pass the check, and then every collection would fail with "Region is missing".
 * @throws ConfigError with one `FILE: region: …` line.
 */
export async function requireRegions(config: ExporterConfig, fileName: string): Promise<void> {
  const names = [
    ...config.targets.filter((target) => target.region === undefined).map((target) => target.name),
    ...(config.discovery.some((spec) => spec.regions.includes(undefined)) ? ['discover'] : []),
  ];
  if (names.length === 0 || (await sdkDefaultRegion()) !== undefined) return;
  const shown = names.length > NAMES_SHOWN ? `${names.slice(0, NAMES_SHOWN).join(', ')} and ${names.length - NAMES_SHOWN} more` : names.join(', ');
  throw new ConfigError([
    `${fileName}: region: missing, and the AWS SDK finds no default region (AWS_REGION, or region in the profile of ~/.aws/config) for ${shown}: set region here, or on each target`,
  ]);
}
