/**
 * Evaluates a service's assertions (config/services/*.yaml `assertions`) over validated data, with the
 * gateway's injected clock: `$now()` and `$millis()` are bound to it (JSONata's own would read the system
 * clock), and `$today()` gives its calendar date in Germany, so a rule such as "the move-in date is at most
 * 14 days ahead" means the same in a test as in production.
 *
 * Data often name an attachment by its envelope id (a passport photo, a power of attorney) or depend on the
 * portal's payment: `$attachments` (id, media type, purpose, size — never a file name or content) and
 * `$payment` (the envelope's payment, absent when the portal sent none) let a rule say "the photo is an
 * attached JPEG" or "paid online means the payment is booked", which the data's JSON Schema cannot.
 */
import type { LoadedService } from '../config/load.js';
import { berlinDay } from '../lib/berlin-time.js';
import { AmtsboteError, type FieldError } from '../lib/errors.js';
import { DEFAULT_ATTACHMENT_PURPOSE } from '../receiver/format.js';
import type { Envelope } from './envelope-schema.js';

/** What of the envelope besides the data a rule may read. */
export interface AssertionEnvelope {
  attachments?: Envelope['attachments'];
  payment?: Envelope['payment'];
  /** Decoded attachment contents by envelope id, for their sizes (only `length` is read). */
  contents?: ReadonlyMap<string, { length: number }>;
}

const dayMs = 86_400_000;
const isDate = (value: unknown): value is string => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);

/** Calendar helpers for rules; each passes an absent value through, so a rule over an absent field is undefined. */
function helpers(now: Date): Record<string, (...args: unknown[]) => unknown> {
  return {
    now: () => now.toISOString(),
    millis: () => now.getTime(),
    /** The clock's date in Germany, `2026-11-26`. */
    today: () => berlinDay(now),
    /** Whole days from date `from` to date `to` (negative when `to` is earlier). */
    daysBetween: (from, to) =>
      isDate(from) && isDate(to) ? Math.round((Date.parse(to) - Date.parse(from)) / dayMs) : undefined,
    /** The date `days` days after `date`. */
    addDays: (date, days) =>
      isDate(date) && typeof days === 'number'
        ? new Date(Date.parse(date) + days * dayMs).toISOString().slice(0, 10)
        : undefined,
  };
}

/** The envelope's attachments as a rule sees them: what they are, not what they hold or were called. */
function attachmentFacts(envelope: AssertionEnvelope) {
  return (envelope.attachments ?? []).map((a) => ({
    id: a.id,
    mediaType: a.mediaType,
    purpose: a.purpose ?? DEFAULT_ATTACHMENT_PURPOSE,
    size: envelope.contents?.get(a.id)?.length ?? 0,
  }));
}

/** The assertions that do not hold, each as a field error with its pointer and message. */
export async function checkAssertions(
  service: LoadedService,
  data: Record<string, unknown>,
  now: Date,
  envelope: AssertionEnvelope = {},
): Promise<FieldError[]> {
  if (service.assertions.length === 0) return [];
  const bindings = { ...helpers(now), data, attachments: attachmentFacts(envelope), payment: envelope.payment };
  const errors: FieldError[] = [];
  for (const assertion of service.assertions) {
    let result: unknown;
    try {
      result = await assertion.expression.evaluate(data, bindings);
    } catch (e) {
      throw new AmtsboteError(
        'invalid-config',
        `${service.file}: assertion for ${assertion.pointer} failed to evaluate: ${(e as Error).message}`,
      );
    }
    if (result === false) errors.push({ pointer: assertion.pointer, detail: assertion.message });
    else if (result !== true && result !== undefined) {
      throw new AmtsboteError(
        'invalid-config',
        `${service.file}: assertion for ${assertion.pointer} gives ${typeof result}, not true or false`,
      );
    }
  }
  return errors;
}
