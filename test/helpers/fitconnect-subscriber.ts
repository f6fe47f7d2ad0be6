import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddedDestination, FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';

export const gewerbeanmeldungSchema = {
  schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
  mimeType: 'application/xml',
} as const;

/** A private JWK as an owner-only key file in `dir`. */
function keyFile(dir: string, name: string, jwk: unknown): string {
  const file = join(dir, `${name}.private-jwk.json`);
  writeFileSync(file, JSON.stringify(jwk));
  chmodSync(file, 0o600);
  return file;
}

/**
 * gateway.yaml's `fitConnectSubscribers:` for one simulated destination of Leipzig's (region 147130000000) that
 * takes the Gewerbeanmeldung as XGewerbeanzeige 2.2; the key files are written into `dir`. The client secret and
 * callback secret come from the environment: FC_SUBSCRIBER_SECRET, FC_CALLBACK_SECRET.
 */
export function leipzigSubscriberSettings(
  sim: FitConnectSimulator,
  client: { clientId: string },
  destination: AddedDestination,
  dir: string,
): Record<string, unknown> {
  return {
    outbound: { allowLoopback: true },
    fitConnectSubscribers: [
      {
        name: 'leipzig',
        tokenUrl: sim.tokenUrl,
        submissionApiUrl: sim.submissionApiUrl,
        clientId: client.clientId,
        clientSecret: 'env:FC_SUBSCRIBER_SECRET',
        pollSeconds: 1,
        destinations: [
          {
            destinationId: destination.destinationId,
            regionKey: '147130000000',
            decryptionKeys: [keyFile(dir, 'decryption', destination.decryptionJwk)],
            signingKey: keyFile(dir, 'signing', destination.signingJwk),
            callbackSecret: 'env:FC_CALLBACK_SECRET',
            dataSchemas: [gewerbeanmeldungSchema],
          },
        ],
      },
    ],
  };
}

/** The sealed messages a file drop folder holds complete: those its manifests name (the documented pick-up rule). */
export function manifestsIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.manifest.json'));
  } catch {
    return [];
  }
}
