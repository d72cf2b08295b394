import { randomBytes } from 'node:crypto';

/** Who a request's access key belongs to. */
export interface CallerIdentity {
  readonly accountId: string;
  readonly arn: string;
  readonly userId: string;
  /** Epoch seconds; temporary credentials stop working then. */
  readonly expiresAt?: number;
}

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch seconds. */
  readonly expiration: number;
}

const ROLE_ARN = /^arn:aws(?:-us-gov|-cn)?:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

/**
 * The simulator's IAM: any long-term access key is a user of the default account (as local AWS stand-ins
 * usually do), and AssumeRole issues temporary keys that act in the role's account until they expire.
 */
export class Identities {
  private readonly temporary = new Map<string, CallerIdentity>();

  constructor(private readonly defaultAccountId: string) {}

  /** The identity behind an access key; 'expired' for temporary credentials past their expiry. */
  resolve(accessKeyId: string | undefined, now: number): CallerIdentity | 'expired' {
    const assumed = accessKeyId === undefined ? undefined : this.temporary.get(accessKeyId);
    if (assumed) return assumed.expiresAt !== undefined && now >= assumed.expiresAt ? 'expired' : assumed;
    return { accountId: this.defaultAccountId, arn: `arn:aws:iam::${this.defaultAccountId}:user/simulator`, userId: 'AIDASIMULATORUSER0001' };
  }

  /** Issues credentials for a role, or says why not (a malformed ARN). */
  assumeRole(roleArn: string, sessionName: string, durationSeconds: number, now: number): { credentials: TemporaryCredentials; identity: CallerIdentity } | string {
    const match = ROLE_ARN.exec(roleArn);
    if (!match) return `${roleArn} is not a valid role ARN`;
    const [, accountId = '', roleName = ''] = match;
    const credentials: TemporaryCredentials = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(32).toString('base64'),
      expiration: Math.floor(now + durationSeconds),
    };
    const roleId = `AROA${accountId.slice(0, 8)}SIMROLE`;
    const identity: CallerIdentity = {
      accountId,
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
      expiresAt: credentials.expiration,
    };
    this.temporary.set(credentials.accessKeyId, identity);
    return { credentials, identity };
  }

  /** The account a role ARN belongs to, if it is one. */
  static roleAccount(roleArn: string): string | undefined {
    return ROLE_ARN.exec(roleArn)?.[1];
  }
}
