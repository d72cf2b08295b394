import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from './clients.js';

/**
 * The AWS account id of the exporter's credentials, from one STS GetCallerIdentity per credential set,
 * cached; a failed lookup is not cached, so the next collection asks again.
 */
export class AccountResolver {
  private cached: Promise<string> | undefined;

  constructor(private readonly clients: AwsClients) {}

  accountId(region: string | undefined): Promise<string> {
    if (!this.cached) {
      const lookup = this.lookup(region);
      this.cached = lookup;
      lookup.catch(() => {
        if (this.cached === lookup) this.cached = undefined;
      });
    }
    return this.cached;
  }

  private async lookup(region: string | undefined): Promise<string> {
    const identity = await this.clients.sts(region).send(new GetCallerIdentityCommand({}));
    if (identity.Account === undefined) throw new Error('STS GetCallerIdentity returned no Account');
    return identity.Account;
  }
}
