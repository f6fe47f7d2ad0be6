import { randomUUID } from 'node:crypto';
import { fitConnectDirectories, fitConnectKeyProviders } from '../../src/adapters/fitconnect/index.js';
import { destinationKeySources } from '../../src/config/destination-key-sources.js';
import type { Destination } from '../../src/config/routing-schema.js';
import { createKeyResolver, sealFitConnect, type KeyResolver } from '../../src/seal/index.js';
import type { FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { testDestination } from './outbox.js';

/** The environment variable the test destinations' client secret reference names. */
export const secretEnv = 'AMTSBOTE_TEST_FITCONNECT_SECRET';

/**
 * A fitconnect destination towards the simulator: its keys are the ones the simulated service hands out (no
 * key setting of its own), secret from the environment. The simulator's keys are self-made, without an x5c
 * chain, so the chain check is off unless a test turns it on.
 */
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
      keyCertificateChain: 'off',
      ...adapter,
    },
    { sealing: 'fitconnect', encryptionKey: undefined, receiptKey: undefined, ...overrides },
  );
}

export const sampleXml = '<?xml version="1.0" encoding="UTF-8"?><nachricht>Gewerbeanmeldung</nachricht>';
export const samplePdf = Buffer.from('%PDF-1.4 a small attachment');

/** A sealed FIT-Connect container for the simulator's destination, as the gateway stores it. */
export async function sealedForSimulator(sim: FitConnectSimulator, resolver: KeyResolver, destination: Destination) {
  const recipient = await resolver.encryptionKey(destinationKeySources(destination).encryption);
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
    },
    recipient,
  );
}

/** A key resolver that also resolves the keys FIT-Connect destinations hand out; close its directories after. */
export function fitConnectKeyResolver(now: () => Date = () => new Date()) {
  const directories = fitConnectDirectories({
    outbound: { allowLoopback: true, allowLinkLocal: false },
    configDir: '.',
    now,
  });
  return {
    resolver: createKeyResolver({ keyProvider: fitConnectKeyProviders(directories, now) }),
    close: () => directories.close(),
  };
}
