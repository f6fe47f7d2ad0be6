import { randomUUID } from 'node:crypto';
import type { Destination } from '../../src/config/routing-schema.js';
import { sealFitConnect, type FitConnectSealInput, type KeyResolver } from '../../src/seal/index.js';
import type { FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { testDestination } from './outbox.js';

/** The environment variable the test destinations' client secret reference names. */
export const secretEnv = 'AMTSBOTE_TEST_FITCONNECT_SECRET';

/** A fitconnect destination towards the simulator: keys from its key endpoint, secret from the environment. */
export function fitConnectDestination(
  sim: FitConnectSimulator,
  id = 'fit',
  adapter: Record<string, unknown> = {},
  overrides: Record<string, unknown> = {},
): Destination {
  return testDestination(
    id,
    {
      kind: 'fitconnect',
      tokenUrl: sim.tokenUrl,
      submissionApiUrl: sim.submissionApiUrl,
      clientId: sim.clientId,
      clientSecret: `env:${secretEnv}`,
      destinationId: sim.destinationId,
      submissionSchemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
      pollSeconds: 1,
      timeoutMs: 5000,
      ...adapter,
    },
    {
      sealing: 'fitconnect',
      encryptionKey: { jwksUrl: sim.keysUrl },
      receiptKey: { jwksUrl: sim.keysUrl },
      ...overrides,
    },
  );
}

export const sampleXml = '<?xml version="1.0" encoding="UTF-8"?><nachricht>Gewerbeanmeldung</nachricht>';
export const samplePdf = Buffer.from('%PDF-1.4 a small attachment');

/** A sealed FIT-Connect container for the simulator's destination, as the gateway stores it. */
export async function sealedForSimulator(
  sim: FitConnectSimulator,
  resolver: KeyResolver,
  destination: Destination,
  overrides: Partial<FitConnectSealInput> = {},
) {
  const recipient = await resolver.encryptionKey(destination.encryptionKey);
  return sealFitConnect(
    {
      messageId: randomUUID(),
      destinationId: sim.destinationId,
      service: { key: '99050012104000', name: 'Gewerbeanmeldung' },
      submissionSchemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
      reference: 'AZ-2026-17',
      receivedAt: new Date('2026-11-25T23:30:00Z'),
      author: {
        name: 'Amtsbote',
        product: { name: 'Amtsbote', version: '0.0.0-test', manufacturer: 'Amtsbote contributors' },
      },
      data: { content: sampleXml, mediaType: 'application/xml' },
      attachments: [
        { id: 'handwerkskarte', filename: 'handwerkskarte.pdf', mediaType: 'application/pdf', content: samplePdf },
      ],
      ...overrides,
    },
    recipient,
  );
}
