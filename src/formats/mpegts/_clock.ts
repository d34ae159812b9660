/**
 * Exact clock conversion: `value × to / from`, rounded once. Splits off whole `from` periods so the
 * product never leaves the safe-integer range, even after weeks of samples.
 */
export function rescaleTime(value: number, from: number, to: number): number {
  if (from === to) return value;
  const q = Math.floor(value / from);
  const r = value - q * from;
  return q * to + Math.round((r * to) / from);
}
