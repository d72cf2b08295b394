/** Each unit may appear once, largest first, as in `1w2d` or `1h30m`. */
const DURATION = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const UNIT_SECONDS = [7 * 86_400, 86_400, 3_600, 60, 1] as const;

/**
 * Parses a duration such as `7d`, `90m` or `1h30m` into seconds.
 * Units are s, m, h, d and w with whole-number amounts; `0s` gives 0.
 * @throws Error with a one-line message saying what is wrong.
 */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text);
  if (text === '' || match === null) {
    throw new Error(
      `${JSON.stringify(text)} is not a duration: use a number with a unit s, m, h, d or w, e.g. 7d (combine units largest first, e.g. 1h30m)`,
    );
  }
  const seconds = UNIT_SECONDS.reduce((total, unit, i) => total + Number(match[i + 1] ?? 0) * unit, 0);
  if (!Number.isSafeInteger(seconds)) throw new Error(`${JSON.stringify(text)} is too long a duration`);
  return seconds;
}

const UNIT_NAMES = ['w', 'd', 'h', 'm', 's'] as const;

/** Seconds in the notation {@link parseDuration} reads, e.g. 5400 → `1h30m`; fractions of a second are rounded. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'forever';
  let rest = Math.round(seconds);
  let text = '';
  UNIT_SECONDS.forEach((unit, i) => {
    const amount = Math.floor(rest / unit);
    if (amount > 0) text += `${amount}${UNIT_NAMES[i] ?? ''}`;
    rest -= amount * unit;
  });
  return text || '0s';
}
