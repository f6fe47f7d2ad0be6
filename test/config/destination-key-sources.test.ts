import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../helpers/paths.js';
import { destinationKeySources } from '../../src/config/destination-key-sources.js';
import { destinationSchema, routingSchema } from '../../src/config/routing-schema.js';
import { testDestination } from '../helpers/outbox.js';

const fitConnectAdapter = {
  kind: 'fitconnect',
  tokenUrl: 'https://auth-testing.fit-connect.fitko.dev/token',
  submissionApiUrl: 'https://test.fit-connect.fitko.dev/submission-api',
  clientId: 'sender-client',
  clientSecret: 'env:FITCONNECT_SECRET',
  destinationId: '0b9a4a3e-4b7e-4a4f-9d55-1c2b3a4d5e6f',
  submissionSchemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
};

describe("a destination's key sources", () => {
  it('derives a FIT-Connect destination’s keys from its adapter settings, chain check required by default', () => {
    const destination = testDestination('fit', fitConnectAdapter, {
      sealing: 'fitconnect',
      encryptionKey: undefined,
      receiptKey: undefined,
    });
    const sources = destinationKeySources(destination);
    expect(sources.encryption).toMatchObject({
      provided: { kind: 'fitconnect', settings: { destinationId: fitConnectAdapter.destinationId } },
      certificateChain: 'required',
    });
    expect(sources.receipt).toEqual(sources.encryption);
  });

  it('lets an explicit setting win, under the destination’s chain rule', () => {
    const destination = testDestination(
      'fit',
      { ...fitConnectAdapter, keyCertificateChain: 'off' },
      { sealing: 'fitconnect', encryptionKey: { jwksUrl: 'https://keys.example/jwks.json', kid: 'k1' } },
    );
    const sources = destinationKeySources(destination);
    expect(sources.encryption).toEqual({
      jwksUrl: 'https://keys.example/jwks.json',
      kid: 'k1',
      refreshSeconds: 3600,
      certificateChain: 'off',
    });
    expect(sources.receipt).toMatchObject({ jwk: { kid: 'test-sig' }, certificateChain: 'off' });
  });

  it('leaves other destinations’ keys as configured, and routing requires them there', () => {
    const destination = testDestination('box', { kind: 'file', directory: 'box' });
    expect(destinationKeySources(destination)).toEqual({
      encryption: destination.encryptionKey,
      receipt: destination.receiptKey,
    });
    const { encryptionKey: _dropped, ...withoutKey } = destination;
    const parsed = routingSchema.safeParse({ destinations: [withoutKey], rules: [] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('/'))).toEqual(['destinations/0/encryptionKey']);
  });
});

describe('the example FIT-Connect destination (examples/fitconnect/destination.yaml)', () => {
  const text = readFileSync(join(projectRoot, 'examples/fitconnect/destination.yaml'), 'utf8');

  it('is a valid destination with derived keys, whose chain check is off and says why', () => {
    const destination = destinationSchema.parse(parse(text));
    expect(destination.encryptionKey).toBeUndefined();
    expect(destinationKeySources(destination).encryption).toMatchObject({
      provided: { kind: 'fitconnect' },
      certificateChain: 'off',
    });
    expect(text).toMatch(/OFF ONLY FOR THE TEST ENVIRONMENT[\s\S]*Verwaltungs-PKI[\s\S]*keyCertificateChain: 'off'/);
  });
});
