import {
  CustomerProfilesClient,
  GetIdentityResolutionJobCommand,
  ListIdentityResolutionJobsCommand,
} from '@aws-sdk/client-customer-profiles';
import {
  EntityResolutionClient,
  GetIdMappingJobCommand,
  GetMatchingJobCommand,
  ListIdMappingJobsCommand,
  ListMatchingJobsCommand,
} from '@aws-sdk/client-entityresolution';
import pLimit from 'p-limit';
import type { TargetConfig } from '../src/config/types.js';
import { CREDENTIALS, type World } from './world.js';

/**
 * The baseline: a poller with no memory and no window, that lists every page of every target and Gets every
 * job listed, every collection, through the same SDK clients. Run unpaced against the simulator with its
 * quotas lifted (at the quota it would take hours); its calls are counted by the simulator like the exporter's.
 */
export async function naiveCollection(world: World, concurrency = 96): Promise<void> {
  const limit = pLimit(concurrency);
  const clients = new Map<string, { cp: CustomerProfilesClient; er: EntityResolutionClient }>();
  const clientsFor = (region: string): { cp: CustomerProfilesClient; er: EntityResolutionClient } => {
    let pair = clients.get(region);
    if (!pair) {
      const config = { region, endpoint: world.simulator.url, credentials: CREDENTIALS, maxAttempts: 1 };
      pair = { cp: new CustomerProfilesClient(config), er: new EntityResolutionClient(config) };
      clients.set(region, pair);
    }
    return pair;
  };
  try {
    await Promise.all(world.config.targets.map((target) => pollTarget(target, clientsFor(target.region ?? ''), limit)));
  } finally {
    for (const { cp, er } of clients.values()) {
      cp.destroy();
      er.destroy();
    }
  }
}

async function pollTarget(target: TargetConfig, clients: { cp: CustomerProfilesClient; er: EntityResolutionClient }, limit: ReturnType<typeof pLimit>): Promise<void> {
  const { name } = target;
  const ids: string[] = [];
  let token: string | undefined;
  switch (target.kind) {
    case 'identity_resolution':
      do {
        const page = await limit(() => clients.cp.send(new ListIdentityResolutionJobsCommand({ DomainName: name, MaxResults: 100, NextToken: token })));
        for (const job of page.IdentityResolutionJobsList ?? []) if (job.JobId) ids.push(job.JobId);
        token = page.NextToken;
      } while (token);
      await Promise.all(ids.map((JobId) => limit(() => clients.cp.send(new GetIdentityResolutionJobCommand({ DomainName: name, JobId })))));
      return;
    case 'matching':
      do {
        const page = await limit(() => clients.er.send(new ListMatchingJobsCommand({ workflowName: name, maxResults: 25, nextToken: token })));
        for (const job of page.jobs ?? []) if (job.jobId) ids.push(job.jobId);
        token = page.nextToken;
      } while (token);
      await Promise.all(ids.map((jobId) => limit(() => clients.er.send(new GetMatchingJobCommand({ workflowName: name, jobId })))));
      return;
    case 'id_mapping':
      do {
        const page = await limit(() => clients.er.send(new ListIdMappingJobsCommand({ workflowName: name, maxResults: 25, nextToken: token })));
        for (const job of page.jobs ?? []) if (job.jobId) ids.push(job.jobId);
        token = page.nextToken;
      } while (token);
      await Promise.all(ids.map((jobId) => limit(() => clients.er.send(new GetIdMappingJobCommand({ workflowName: name, jobId })))));
      return;
  }
}
