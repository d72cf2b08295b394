import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { type AwsClients } from './clients.js';
import { roleKey, type RoleRef } from '../model/target.js';

/** Who a credential set is, as STS GetCallerIdentity says. */
export interface CallerIdentity {
  readonly accountId: string;
  /** The user's or assumed role's ARN. */
  readonly arn: string | undefined;
}

/**
 * The AWS account id of a credential set (the exporter's own, or an assumed role's), from one STS
 * GetCallerIdentity per set, cached; a failed lookup is not cached, so the next collection asks again.
 */
export class AccountResolver {
  private readonly cached = new Map<string, Promise<CallerIdentity>>();
  private readonly resolved = new Map<string, string>();

  constructor(private readonly clients: AwsClients) {}

  /** The account of a credential set, if already looked up. */
  known(role?: RoleRef): string | undefined {
    return this.resolved.get(roleKey(role));
  }

  async accountId(region: string | undefined, role?: RoleRef): Promise<string> {
    return (await this.identity(region, role)).accountId;
  }

  identity(region: string | undefined, role?: RoleRef): Promise<CallerIdentity> {
    const key = roleKey(role);
    let cached = this.cached.get(key);
    if (!cached) {
      const lookup = this.lookup(region, role);
      cached = lookup;
      this.cached.set(key, lookup);
      lookup.then(({ accountId }) => { this.resolved.set(key, accountId); }, () => {
        if (this.cached.get(key) === lookup) this.cached.delete(key);
      });
    }
    return cached;
  }

  private async lookup(region: string | undefined, role: RoleRef | undefined): Promise<CallerIdentity> {
    const identity = await this.clients.sts(region, role).send(new GetCallerIdentityCommand({}));
    if (identity.Account === undefined) throw new Error('STS GetCallerIdentity returned no Account');
    return { accountId: identity.Account, arn: identity.Arn };
  }
}
