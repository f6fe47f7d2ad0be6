import { z } from 'zod';

/**
 * How long something may wait, as an ISO 8601 duration of days, hours, minutes and seconds (`P7D`, `PT36H`,
 * `P1DT12H`). Months and years are left out on purpose: their length depends on the date they start from,
 * and a deadline must mean the same for every case.
 */
const pattern = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Milliseconds of a duration that `waitDurationSchema` accepted. */
export function waitDurationMs(duration: string): number {
  const match = pattern.exec(duration);
  if (!match) return Number.NaN;
  const [days, hours, minutes, seconds] = match.slice(1).map((part: string | undefined) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
  ];
  return (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}

/** A year: longer than any specialist procedure takes to confirm, short enough that a typo is caught. */
const longestMs = 366 * 86_400_000;

export const waitDurationSchema = z
  .string()
  .regex(pattern, 'must be an ISO 8601 duration of days, hours, minutes or seconds (P7D, PT36H, P1DT12H)')
  .refine((d) => waitDurationMs(d) > 0 && waitDurationMs(d) <= longestMs, {
    message: 'must be longer than nothing and at most a year (P366D)',
    params: { code: 'wait-out-of-range' },
  });
