import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { getJson, postJson } from '../helpers/http.js';
import { eventually, startReceiver, type TestReceiver } from '../helpers/outbox.js';

// Chemnitz's Gewerbe endpoint, pointed at a local receiver that fails until told otherwise.
let receiver: TestReceiver;
let config: ConfigCopy;
let gw: TestGateway | undefined;
let healthy = false;
beforeAll(async () => {
  receiver = await startReceiver();
  receiver.respond = (_req, res) => res.writeHead(healthy ? 200 : 503).end();
  config = copyConfig({
    urls: { 'chemnitz-gewerbeamt': receiver.url + '/eingang' },
    retry: { 'chemnitz-gewerbeamt': { initialDelaySeconds: 0.05, maxDelaySeconds: 0.1, maxAttempts: 100 } },
  });
  gw = await startTestGateway({ configFile: config.configFile });
});
afterAll(async () => {
  await gw?.stop();
  await receiver.close();
  config.remove();
});

const chemnitz = loadExamples().find(
  (e) => !e.invalid && e.envelope.regionKey === '145110000000' && e.envelope.serviceKey === '99050012104000',
)!;

interface DestinationStatus {
  destinationId: string;
  status: string;
  attempts: number;
  lastError?: { code: string; at: string };
}

describe('GET /v1/submissions/{id} for a delivery that fails', () => {
  it("shows the latest attempt's error code and time while it fails, and none once delivered", async () => {
    const accepted = await postJson(gw!.url, '/v1/submissions', chemnitz.envelope);
    expect(accepted.status).toBe(202);
    const statusUrl = accepted.body.statusUrl as string;
    const chemnitzOf = async () =>
      ((await getJson('', statusUrl)).body.destinations as DestinationStatus[]).find(
        (d) => d.destinationId === 'chemnitz-gewerbeamt',
      )!;

    const failing = await eventually(chemnitzOf, (d) => d.lastError !== undefined, 30_000);
    expect(failing.status).toBe('pending');
    expect(failing.lastError).toEqual({ code: 'http-503', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string });
    expect(Date.parse(failing.lastError!.at)).toBeLessThanOrEqual(Date.now());
    // only the code: nothing of the receiver's answer or the message
    expect(Object.keys(failing.lastError!).sort()).toEqual(['at', 'code']);

    healthy = true;
    const delivered = await eventually(chemnitzOf, (d) => d.status === 'delivered', 30_000);
    expect(delivered.status).toBe('delivered');
    expect(delivered.lastError).toBeUndefined();
    expect(delivered.attempts).toBeGreaterThanOrEqual(2);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await getJson(gw!.url, '/v1/openapi.json');
    const schema = (
      doc.body as {
        components: {
          schemas: Record<string, { properties: Record<string, { items?: { properties?: Record<string, unknown> } }> }>;
        };
      }
    ).components.schemas.SubmissionStatus!;
    const destination = schema.properties.destinations!.items!.properties!;
    const lastError = destination.lastError as { type?: string; properties?: Record<string, unknown> } | undefined;
    expect(lastError?.type).toBe('object');
    expect(Object.keys(lastError?.properties ?? {}).sort()).toEqual(['at', 'code']);
  });
});
