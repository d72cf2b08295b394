import { CustomerProfilesClient } from '@aws-sdk/client-customer-profiles';
import { EntityResolutionClient } from '@aws-sdk/client-entityresolution';
import { STSClient } from '@aws-sdk/client-sts';
import { instrumentClient, type AwsAttemptObserver } from './instrumentation.js';

export interface AwsClientOptions {
  /** Overrides every service endpoint; otherwise the SDK's own resolution (AWS_ENDPOINT_URL_*, config files). */
  readonly endpointUrl: string | undefined;
  /** Per HTTP attempt; a hanging connection fails after this instead of stalling the collection. */
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  readonly observe: AwsAttemptObserver;
  /** Fixed credentials; undefined uses the SDK's default provider chain. */
  readonly credentials: AwsCredentials | undefined;
}

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * One SDK client per (service, region), shared by every target there, so connections and the adaptive
 * retry rate limiter are per region and service, as AWS's quotas are.
 */
export class AwsClients {
  private readonly customerProfilesByRegion = new Map<string, CustomerProfilesClient>();
  private readonly entityResolutionByRegion = new Map<string, EntityResolutionClient>();
  private readonly stsByRegion = new Map<string, STSClient>();

  constructor(private readonly options: AwsClientOptions) {}

  customerProfiles(region: string | undefined): CustomerProfilesClient {
    return this.cached(this.customerProfilesByRegion, region, (config) => {
      const client = new CustomerProfilesClient(config);
      instrumentClient(client, 'customer_profiles', this.options.observe);
      return client;
    });
  }

  entityResolution(region: string | undefined): EntityResolutionClient {
    return this.cached(this.entityResolutionByRegion, region, (config) => {
      const client = new EntityResolutionClient(config);
      instrumentClient(client, 'entity_resolution', this.options.observe);
      return client;
    });
  }

  sts(region: string | undefined): STSClient {
    return this.cached(this.stsByRegion, region, (config) => {
      const client = new STSClient(config);
      instrumentClient(client, 'sts', this.options.observe);
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

  /** Closes every client's sockets. */
  destroy(): void {
    for (const clients of [this.customerProfilesByRegion, this.entityResolutionByRegion, this.stsByRegion]) {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    }
  }

  private cached<C>(clients: Map<string, C>, region: string | undefined, create: (config: ClientConfig) => C): C {
    const key = region ?? '';
    let client = clients.get(key);
    if (!client) {
      client = create(this.clientConfig(region));
      clients.set(key, client);
    }
    return client;
  }

  private clientConfig(region: string | undefined): ClientConfig {
    return {
      ...(region === undefined ? {} : { region }),
      ...(this.options.endpointUrl === undefined ? {} : { endpoint: this.options.endpointUrl }),
      ...(this.options.credentials === undefined ? {} : { credentials: this.options.credentials }),
      // Adaptive mode adds the SDK's client-side rate limiter after the first throttle: a safety net under our own pacing.
      retryMode: 'adaptive',
      maxAttempts: this.options.maxAttempts,
      requestHandler: { requestTimeout: this.options.requestTimeoutMs, connectionTimeout: this.options.requestTimeoutMs },
    };
  }
}

interface ClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: AwsCredentials;
  retryMode: string;
  maxAttempts: number;
  requestHandler: { requestTimeout: number; connectionTimeout: number };
}
