/** The middle value (the upper one of an even count), as every report of the benchmark uses it. */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
