/**
 * Dates as a German authority counts them (Europe/Berlin), whatever the server's zone. The formatters are made on
 * first use and kept: a zone-aware `Intl.DateTimeFormat` loads ICU's zone data (about 20 ms of every start and
 * `config check` when made at module load — issue 26), and making one per call costs that again and again.
 */
let dayFormat: Intl.DateTimeFormat | undefined;
let offsetFormat: Intl.DateTimeFormat | undefined;

/** The calendar day in Germany of an instant, `YYYY-MM-DD`. */
export function berlinDay(at: Date): string {
  dayFormat ??= new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Berlin',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return dayFormat.format(at);
}

/** Germany's offset from UTC at an instant, as ICU names it: `GMT+01:00` or `GMT+02:00`. */
export function berlinOffsetName(at: Date): string | undefined {
  offsetFormat ??= new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', timeZoneName: 'longOffset' });
  return offsetFormat.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
}
