/** Epoch seconds of a timestamp the SDK parsed, or undefined when AWS sent none. */
export function epochSeconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : date.getTime() / 1000;
}
