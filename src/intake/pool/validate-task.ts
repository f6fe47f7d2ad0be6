import { AmtsboteError } from '../../lib/errors.js';
import { normalizeNfc } from '../../xoev/index.js';
import { checkAttachments } from '../attachments.js';
import { checkAssertions } from '../check-assertions.js';
import type { ConfigurationSet } from '../configuration-set.js';
import type { Envelope } from '../envelope-schema.js';

/** What validating a submission's data needs: the envelope's parts, and of the attachments only their sizes. */
export interface ValidateInput {
  serviceKey: string;
  data: Record<string, unknown>;
  attachments: Envelope['attachments'];
  payment: Envelope['payment'];
  /** Every attachment content sent (listed or not), by id: its size in bytes. */
  sizes: ReadonlyMap<string, number>;
  now: Date;
}

/**
 * The data checks of intake in their order: NFC normalisation, the service's JSON Schema, its rules, its
 * attachment rules. Returns the normalised data, or throws the problem the portal gets. CPU work only (no
 * network, no store), so it runs on a pool thread as well as in-process (pool/intake-pool.ts).
 */
export async function validateSubmission(
  set: ConfigurationSet,
  input: ValidateInput,
): Promise<Record<string, unknown>> {
  const service = set.config.services.get(input.serviceKey);
  if (!service) {
    throw new AmtsboteError('unknown-service', `No service with the key ${input.serviceKey}.`, [
      { pointer: '/serviceKey', detail: 'unknown service' },
    ]);
  }
  const data = normalizeNfc(input.data);
  const validator = set.validators.get(input.serviceKey);
  const dataErrors = validator ? validator(data) : [];
  if (dataErrors.length > 0)
    throw new AmtsboteError('invalid-data', "The data does not match the service's schema.", dataErrors);
  const sizes = lengths(input.sizes);
  const ruleErrors = await checkAssertions(service, data, input.now, {
    attachments: input.attachments,
    payment: input.payment,
    contents: sizes,
  });
  if (ruleErrors.length > 0)
    throw new AmtsboteError('invalid-data', 'The data break a rule of the service.', ruleErrors);
  checkAttachments(service.definition, input.attachments ?? [], sizes, set.config.gateway.limits.maxAttachments);
  return data;
}

/** The checks read only an attachment's length: its bytes stay where they are. */
function lengths(sizes: ReadonlyMap<string, number>): ReadonlyMap<string, { length: number }> {
  return new Map([...sizes].map(([id, length]) => [id, { length }]));
}
