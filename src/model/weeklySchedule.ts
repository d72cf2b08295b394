/** Days as AWS names them in Matching.JobSchedule.DayOfTheWeek, in the order of Date.getUTCDay(). */
const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
export const WEEK_SECONDS = 7 * 86_400;

/** A weekly identity-resolution schedule, in UTC. */
export interface WeeklySchedule {
  readonly dayOfTheWeek: string | undefined;
  /** "H:MM" or "HH:MM". */
  readonly time: string | undefined;
}

/** What GetDomain says about a domain's identity-resolution schedule (the part of its answer read here). */
export interface DomainMatchingSettings {
  readonly Matching?: {
    readonly Enabled?: boolean | undefined;
    readonly JobSchedule?: { readonly DayOfTheWeek?: string | undefined; readonly Time?: string | undefined } | undefined;
  } | undefined;
}

/** AWS's schedule when a domain sets none: "it runs every Saturday at 12AM UTC". */
export const AWS_DEFAULT_SCHEDULE: WeeklySchedule = { dayOfTheWeek: 'SATURDAY', time: '0:00' };

/** The weekly schedule of a domain whose ML identity resolution is on (AWS's default when it sets none); undefined when it is off. */
export function domainSchedule(domain: DomainMatchingSettings | undefined): WeeklySchedule | undefined {
  const matching = domain?.Matching;
  if (matching?.Enabled !== true) return undefined;
  const schedule = matching.JobSchedule;
  return schedule ? { dayOfTheWeek: schedule.DayOfTheWeek, time: schedule.Time } : AWS_DEFAULT_SCHEDULE;
}

/** Seconds between a domain's scheduled runs: a week while identity resolution is on with a readable schedule. */
export function scheduledIntervalOf(domain: DomainMatchingSettings | undefined): number | undefined {
  const schedule = domainSchedule(domain);
  return schedule !== undefined && offsetInWeek(schedule) !== undefined ? WEEK_SECONDS : undefined;
}

/** Seconds into the week (Sunday 00:00 UTC = 0) of a schedule, or undefined when AWS sent something unreadable. */
function offsetInWeek(schedule: WeeklySchedule): number | undefined {
  const day = DAYS.indexOf(schedule.dayOfTheWeek ?? '');
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(schedule.time ?? '');
  if (day < 0 || !match) return undefined;
  return day * 86_400 + Number(match[1]) * 3600 + Number(match[2]) * 60;
}

/**
 * The last scheduled run at or before `now` and the next one after it (epoch seconds), or undefined when the
 * schedule cannot be read. Like a CronJob's last and next schedule time.
 */
export function scheduledRuns(schedule: WeeklySchedule, now: number): { previous: number; next: number } | undefined {
  const offset = offsetInWeek(schedule);
  if (offset === undefined) return undefined;
  const day = new Date(now * 1000).getUTCDay();
  const weekStart = Math.floor(now / 86_400) * 86_400 - day * 86_400;
  let previous = weekStart + offset;
  if (previous > now) previous -= WEEK_SECONDS;
  return { previous, next: previous + WEEK_SECONDS };
}
