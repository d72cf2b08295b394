import cron from 'node-cron';

/** Upcoming runs looked at: enough to find the shortest gap of any practical schedule ("0 9,17 * * 1-5"). */
const RUNS_INSPECTED = 12;

/**
 * The shortest time between two runs of a cron schedule, in seconds: the time a collection has before the
 * next one is due, so the bound for per-call timeouts and the collection deadline.
 */
export function scheduleIntervalSeconds(expression: string): number {
  const task = cron.createTask(expression, () => undefined, { name: 'schedule-interval-probe' });
  try {
    const runs = task.getNextRuns(RUNS_INSPECTED).map((run) => run.getTime());
    let shortest = Number.POSITIVE_INFINITY;
    for (let i = 1; i < runs.length; i++) shortest = Math.min(shortest, ((runs[i] ?? 0) - (runs[i - 1] ?? 0)) / 1000);
    return shortest;
  } finally {
    void task.destroy();
  }
}
