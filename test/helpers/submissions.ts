import type { NewSubmission } from '../../src/store/types.js';

/** A pending Gewerbeanmeldung in Dresden as the store keeps it (metadata and keyed hashes only). */
export function testSubmission(id: string, over: Partial<NewSubmission> = {}): NewSubmission {
  return {
    id,
    portalId: 'amt24',
    serviceKey: '99050012104000',
    regionKey: '146120000000',
    status: 'pending',
    test: false,
    dataHmac: 'hmac-sha512:x',
    attachments: [{ id: 'a1', mediaType: 'application/pdf', size: 10, hmac: 'hmac-sha512:y' }],
    receivedAt: '2026-11-25T10:00:00.000Z',
    ...over,
  };
}
