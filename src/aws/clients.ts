import { CustomerProfilesClient } from '@aws-sdk/client-customer-profiles';
import { EntityResolutionClient } from '@aws-sdk/client-entityresolution';
import { STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { instrumentClient, type AwsAttemptObserver, type ClientPlace } from './instrumentation.js';
import { DEFAULT_MAX_ATTEMPTS } from '../model/callBudget.js';
import { roleKey, type RoleRef } from '../model/target.js';


/** What the configuration decides of every AWS call (an ExporterConfig is one). */
export interface AwsCallSettings {
  /** Overrides every service endpoint; otherwise the SDK's own resolution (AWS_ENDPOINT_URL_*, config files). */
  readonly endpointUrl: string | undefined;
  /** Per HTTP attempt; a hanging connection fails after this instead of stalling the collection. */
  readonly requestTimeoutSeconds: number;
}

export interface AwsClientOptions {
  readonly settings: AwsCallSettings;
  /** Attempts per call, the first included; {@link DEFAULT_MAX_ATTEMPTS} unless a test wants no retries. */
  readonly maxAttempts?: number | undefined;
  readonly observe: AwsAttemptObserver;
  /** Fixed credentials; undefined uses the SDK's default provider chain. */
  readonly credentials: AwsCredentials | undefined;
  /** The account of a credential set once known (see AccountResolver), to label its calls. */
  readonly accountOf?: ((role: RoleRef | undefined) => string | undefined) | undefined;
}

/**
 * The region the AWS SDK's own chain gives a client that names none (AWS_REGION, the profile's region), or
 * undefined when it finds none: for checking a configuration before any client is made.
 */
export async function sdkDefaultRegion(): Promise<string | undefined> {
  const client = new STSClient({});
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

/** Labels a call whose account or region is not known yet (the first STS call, an unresolvable default region). */
export const UNKNOWN_PLACE = 'unknown';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The session name AssumeRole gets when the config names none: CloudTrail shows who read the jobs. */
const DEFAULT_SESSION_NAME = 'aws-resolution-exporter';

interface ClientsOfOneSet {
  readonly customerProfiles: Map<string, CustomerProfilesClient>;
  readonly entityResolution: Map<string, EntityResolutionClient>;
  readonly sts: Map<string, STSClient>;
  /** An assumed role's session, shared by all its clients: one AssumeRole per role, not per client. */
  session?: AwsCredentialIdentityProvider;
}

/** A session is renewed this long before it expires, as the SDK's own clients do. */
const SESSION_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * One SDK client per (credential set, service, region), shared by every target there, so connections and the
 * adaptive retry rate limiter are per account, region and service, as AWS's quotas are. A role's credentials
 * come from STS AssumeRole (through the SDK's own provider, which refreshes them before they expire).
 */
export class AwsClients {
  private readonly sets = new Map<string, ClientsOfOneSet>();

  constructor(private options: AwsClientOptions) {}

  private get maxAttempts(): number {
    return this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  /**
   * A reloaded configuration's endpoint and timeout: the clients made so far are closed, and the next call
   * per service and region makes a new one. Unchanged settings keep the clients (and their connections).
   */
  reconfigure(settings: AwsCallSettings): void {
    const { endpointUrl, requestTimeoutSeconds } = this.options.settings;
    if (settings.endpointUrl === endpointUrl && settings.requestTimeoutSeconds === requestTimeoutSeconds) return;
    this.options = { ...this.options, settings };
    this.destroy();
  }

  customerProfiles(region: string | undefined, role?: RoleRef): CustomerProfilesClient {
    return this.cached(this.set(role).customerProfiles, region, role, (config) => {
      const client = new CustomerProfilesClient(config);
      instrumentClient(client, 'customer_profiles', this.options.observe, this.place(role, region));
      return client;
    });
  }

  entityResolution(region: string | undefined, role?: RoleRef): EntityResolutionClient {
    return this.cached(this.set(role).entityResolution, region, role, (config) => {
      const client = new EntityResolutionClient(config);
      instrumentClient(client, 'entity_resolution', this.options.observe, this.place(role, region));
      return client;
    });
  }

  sts(region: string | undefined, role?: RoleRef): STSClient {
    return this.cached(this.set(role).sts, region, role, (config) => {
      const client = new STSClient(config);
      instrumentClient(client, 'sts', this.options.observe, this.place(role, region));
      return client;
    });
  }

  /**
   * The region the SDK resolves when the config names none (AWS_REGION, the shared config's profile);
   * the series of such targets are labelled with it.
   */
  async defaultRegion(): Promise<string> {
    return this.sts(undefined).config.region();
  }

  /**
   * Forgets a role's clients and credentials, so the next call assumes the role afresh: for credentials AWS
   * calls expired although the SDK thought them valid (clock skew, a session revoked early).
   */
  forgetRole(role: RoleRef): void {
    const set = this.sets.get(roleKey(role));
    if (set) for (const client of [...set.customerProfiles.values(), ...set.entityResolution.values(), ...set.sts.values()]) client.destroy();
    this.sets.delete(roleKey(role));
  }

  /** Closes every client's sockets. */
  destroy(): void {
    for (const set of this.sets.values()) {
      for (const client of [...set.customerProfiles.values(), ...set.entityResolution.values(), ...set.sts.values()]) client.destroy();
    }
    this.sets.clear();
  }

  /** The account and region a client of `role` in `region` calls, as far as known when a call returns. */
  private place(role: RoleRef | undefined, region: string | undefined): ClientPlace {
    let resolvedRegion = region;
    return async () => {
      resolvedRegion ??= await this.defaultRegion().catch(() => undefined);
      return { accountId: this.options.accountOf?.(role) ?? UNKNOWN_PLACE, region: resolvedRegion ?? UNKNOWN_PLACE };
    };
  }

  private set(role: RoleRef | undefined): ClientsOfOneSet {
    const key = roleKey(role);
    let set = this.sets.get(key);
    if (!set) {
      set = { customerProfiles: new Map(), entityResolution: new Map(), sts: new Map() };
      this.sets.set(key, set);
    }
    return set;
  }

  private cached<C>(clients: Map<string, C>, region: string | undefined, role: RoleRef | undefined, create: (config: ClientConfig) => C): C {
    const key = region ?? '';
    let client = clients.get(key);
    if (!client) {
      client = create(this.clientConfig(region, role));
      clients.set(key, client);
    }
    return client;
  }

  private clientConfig(region: string | undefined, role: RoleRef | undefined): ClientConfig {
    const { endpointUrl, requestTimeoutSeconds } = this.options.settings;
    const endpoint = endpointUrl === undefined ? {} : { endpoint: endpointUrl };
    const timeoutMs = requestTimeoutSeconds * 1000;
    const set = this.set(role);
    const credentials = role === undefined ? this.options.credentials : (set.session ??= this.assumedRole(role, region, endpoint));
    return {
      ...(region === undefined ? {} : { region }),
      ...endpoint,
      ...(credentials === undefined ? {} : { credentials }),
      // Adaptive mode adds the SDK's client-side rate limiter after the first throttle: a safety net under our own pacing.
      retryMode: 'adaptive',
      maxAttempts: this.maxAttempts,
      // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes, and a hanging
      // connection stalls the collection until the socket dies.
      requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true },
    };
  }

  /**
   * Temporary credentials of `role`, assumed with the exporter's own credentials through the regional STS
   * endpoint of the first region that needs them, kept until shortly before they expire.
   */
  private assumedRole(role: RoleRef, region: string | undefined, endpoint: { endpoint?: string }): AwsCredentialIdentityProvider {
    const assume = fromTemporaryCredentials({
      params: {
        RoleArn: role.arn,
        RoleSessionName: role.sessionName ?? DEFAULT_SESSION_NAME,
        ...(role.externalId === undefined ? {} : { ExternalId: role.externalId }),
      },
      ...(this.options.credentials === undefined ? {} : { masterCredentials: this.options.credentials }),
      clientConfig: { ...(region === undefined ? {} : { region }), ...endpoint, maxAttempts: this.maxAttempts },
      // AssumeRole runs under the exporter's own credentials: its calls count against that account.
      clientPlugins: [{ applyToStack: (stack) => { instrumentClient({ middlewareStack: stack }, 'sts', this.options.observe, this.place(undefined, region)); } }],
    });
    let session: Promise<AwsCredentialIdentity> | undefined;
    let expiresAt = Number.NEGATIVE_INFINITY;
    return () => {
      if (session === undefined || Date.now() > expiresAt - SESSION_REFRESH_MARGIN_MS) {
        const renewing = assume();
        session = renewing;
        expiresAt = Number.POSITIVE_INFINITY;
        renewing.then(
          (credentials) => { expiresAt = credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY; },
          () => { if (session === renewing) session = undefined; },
        );
      }
      return session;
    };
  }
}

interface ClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: AwsCredentials | AwsCredentialIdentityProvider;
  retryMode: string;
  maxAttempts: number;
  requestHandler: { requestTimeout: number; connectionTimeout: number; throwOnRequestTimeout: boolean };
}
