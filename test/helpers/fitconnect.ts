import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { fitConnectDirectories, fitConnectKeyProviders } from '../../src/adapters/fitconnect/index.js';
import { destinationKeySources } from '../../src/config/destination-key-sources.js';
import type { ConfigCopy } from './config-copy.js';
import type { Destination } from '../../src/config/routing-schema.js';
import { createKeyResolver, sealFitConnect, type FitConnectSealInput, type KeyResolver } from '../../src/seal/index.js';
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
export async function sealedForSimulator(
  sim: FitConnectSimulator,
  resolver: KeyResolver,
  destination: Destination,
  overrides: Partial<FitConnectSealInput> = {},
) {
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
      ...overrides,
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

/**
 * Adds a FIT-Connect destination towards the simulator to a copied routing, and routes Leipzig's
 * Gewerbeanmeldung to it — after the destinations named in `alongside`, which keep receiving it too.
 */
export function routeLeipzigToSimulator(
  copy: ConfigCopy,
  sim: FitConnectSimulator,
  destinationId: string,
  alongside: string[] = [],
  /** Adapter settings to change; one set to undefined is left out (e.g. `submissionSchemaUri`). */
  adapterOverrides: Record<string, unknown> = {},
): void {
  const file = join(copy.dir, 'routing.yaml');
  const routing = parseDocument(readFileSync(file, 'utf8'));
  const settings: Record<string, unknown> = {
    kind: 'fitconnect',
    tokenUrl: sim.tokenUrl,
    submissionApiUrl: sim.submissionApiUrl,
    clientId: sim.clientId,
    clientSecret: 'env:FITCONNECT_CLIENT_SECRET',
    destinationId: sim.destinationId,
    submissionSchemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
    pollSeconds: 1,
    destinationRefreshSeconds: 1,
    // the simulator's keys are self-made, without a chain to the administration PKI
    keyCertificateChain: 'off',
    ...adapterOverrides,
  };
  const adapter = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  const destination = {
    id: destinationId,
    name: 'Stadt Leipzig, Gewerbebehörde über FIT-Connect (simuliert)',
    adapter,
    sealing: 'fitconnect',
    // no encryptionKey / receiptKey: the keys are the ones the delivery service hands out for the destination
    standard: { name: 'xgewerbeanzeige', version: '2.2', message: 'alg.gewerbemeldung.0300' },
    leser: {
      praefix: 'MELDID',
      kennung: '14713000',
      kennungListUri: 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags',
      name: 'Stadt Leipzig, Ordnungsamt, Gewerbebehörde',
    },
    retry: { initialDelaySeconds: 0.2, maxDelaySeconds: 1, maxAttempts: 50 },
  };
  routing.addIn(['destinations'], routing.createNode(destination));
  const rules = routing.toJS() as { rules: { service: string; region: string }[] };
  const index = rules.rules.findIndex((r) => r.service === '99050012104000' && r.region === '147130000000');
  routing.setIn(['rules', index, 'destinations'], routing.createNode([...alongside, destinationId], { flow: true }));
  writeFileSync(file, routing.toString());
}
