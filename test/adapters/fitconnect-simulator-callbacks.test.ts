import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { callbackHmac, newSubmissionsType } from '../fixtures/fitconnect-simulator/callbacks.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * The delivery service's `new-submissions` callback (PROTOCOL.md §4) as the simulator sends it: the pick-up's
 * callback endpoint is tested against it, so its signature must be the documented one.
 */
let sim: FitConnectSimulator;
let receiver: Server;
let receiverUrl: string;
let answer = 200;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = answer;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/fitconnect/callbacks/x`;
});
afterAll(async () => {
  await sim.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('FIT-Connect simulator: callbacks', () => {
  it('POSTs new-submissions signed with hex HMAC-SHA512 over "timestamp.body" when a submission is submitted', async () => {
    const { destinationId } = sim.addDestination();
    const secret = 'the-destination-callback-secret';
    sim.setCallback(destinationId, { url: receiverUrl, secret });
    const sent = await sim.sendAsOnlineService(destinationId);
    await waitUntil(
      () => received.length === 1,
      30_000,
      () => `${received.length} callbacks`,
    );
    const [callback] = received;
    const timestamp = String(callback!.headers['callback-timestamp']);
    expect(timestamp).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);
    expect(callback!.headers['callback-authentication']).toBe(callbackHmac(secret, timestamp, callback!.body));
    expect(callback!.headers['callback-authentication']).toMatch(/^[0-9a-f]{128}$/);
    expect(callback!.headers['content-type']).toContain('application/json');
    expect(JSON.parse(callback!.body)).toEqual({
      type: newSubmissionsType,
      submissionIds: [sent.submissionId],
      submissions: [{ destinationId, submissionId: sent.submissionId, caseId: sent.caseId }],
    });
    await waitUntil(
      () => sim.callbacks.length === 1,
      30_000,
      () => JSON.stringify(sim.callbacks),
    );
    expect(sim.callbacks[0]).toMatchObject({ destinationId, submissionId: sent.submissionId, status: 200 });

    // no callback for another destination, nor after it was taken away
    await sim.sendAsOnlineService(sim.destinationId);
    sim.setCallback(destinationId, undefined);
    await sim.sendAsOnlineService(destinationId);
    expect(received).toHaveLength(1);
  });

  it('takes a failed callback as non-fatal: the submission is submitted and listed all the same', async () => {
    const { destinationId } = sim.addDestination();
    answer = 500;
    sim.setCallback(destinationId, { url: receiverUrl, secret: 's' });
    const refused = await sim.sendAsOnlineService(destinationId);
    sim.setCallback(destinationId, { url: 'http://127.0.0.1:9/unreachable', secret: 's' });
    const unreachable = await sim.sendAsOnlineService(destinationId);
    await waitUntil(
      () => sim.callbacks.filter((c) => c.destinationId === destinationId).length === 2,
      30_000,
      () => JSON.stringify(sim.callbacks),
    );
    const attempts = sim.callbacks.filter((c) => c.destinationId === destinationId);
    expect(attempts.find((c) => c.submissionId === refused.submissionId)?.status).toBe(500);
    expect(attempts.find((c) => c.submissionId === unreachable.submissionId)?.error).toBeDefined();
    expect(sim.submissionState(refused.submissionId)).toBe('submitted');
    expect(sim.submissionState(unreachable.submissionId)).toBe('submitted');
  });
});
