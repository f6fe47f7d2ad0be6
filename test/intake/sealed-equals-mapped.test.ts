import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeSchema } from '../../src/intake/envelope-schema.js';
import { messageFor } from '../../src/intake/produce-messages.js';
import { openSealedMessage } from '../../src/receiver/index.js';
import { version } from '../../src/lib/version.js';
import { loadXoev, normalizeNfc } from '../../src/xoev/index.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';

const fixedNow = new Date('2026-11-25T09:30:00.123Z');
let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ clock: () => fixedNow, newId, env: {} });
});
afterAll(async () => {
  await gw.stop();
});

describe('what the store holds', () => {
  it('opens, with the receiver kit, to exactly the XML the mapping produces for the same input', async () => {
    const example = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;
    const accepted = await postJson(gw.url, '/v1/submissions', example.envelope);
    expect(accepted.status).toBe(202);
    const submissionId = accepted.body.submissionId as string;
    const delivery = (accepted.body.destinations as { destinationId: string; messageId: string }[]).find(
      (d) => d.destinationId === 'dresden-gewerbeamt',
    )!;

    const stored = await gw.store.getSealedMessage(delivery.messageId);
    const key = JSON.parse(
      readFileSync(
        join(projectRoot, 'config/demo/dresden-gewerbeamt.encryption.private-jwk.DEVELOPMENT-ONLY.json'),
        'utf8',
      ),
    ) as Record<string, unknown>;
    const jwks = (await (await fetch(gw.url + '/.well-known/jwks.json')).json()) as { keys: Record<string, unknown>[] };
    const opened = await openSealedMessage(stored!.body, {
      recipientKeys: [key],
      gatewayJwks: jwks,
      expectedDestinationId: 'dresden-gewerbeamt',
    });

    const xoev = loadXoev(gw.config.paths);
    try {
      const envelope = envelopeSchema.parse(example.envelope);
      const destination = gw.routing.current().routing.destinations.find((d) => d.id === 'dresden-gewerbeamt')!;
      const expected = await messageFor(
        {
          config: gw.config,
          xoev,
          productVersion: version,
          envelope,
          data: normalizeNfc(envelope.data),
          submissionId,
          createdAt: fixedNow,
        },
        destination,
        delivery.messageId,
      );
      expect(opened.data.toString('utf8')).toBe(expected!.content);
      expect(opened.metadata).toMatchObject({
        messageId: delivery.messageId,
        submissionId,
        destinationId: 'dresden-gewerbeamt',
      });
    } finally {
      xoev.close();
    }
  });
});
