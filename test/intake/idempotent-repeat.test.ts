import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { getJson, postJson } from '../helpers/http.js';
import { pollValue } from '../helpers/wait.js';

let gw: TestGateway | undefined;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.stop();
});

// Dresden's Gewerbeanmeldung goes to two mailboxes: fetching from one moves that destination on.
const dresden = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;

interface Answer {
  submissionId: string;
  status: string;
  statusUrl: string;
  destinations: { destinationId: string; messageId: string; status: string }[];
}

describe('a repeated Idempotency-Key', () => {
  it('answers 202 with the same ids and the current status, marked Idempotent-Replayed, and creates nothing', async () => {
    const url = gw!.url;
    const key = `repeat-${Date.now()}`;
    const first = await postJson(url, '/v1/submissions', dresden.envelope, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstAnswer = first.body as unknown as Answer;
    expect(firstAnswer.destinations.map((d) => d.status)).toEqual(['pending', 'pending']);

    // The Gewerbeamt fetches its message: that destination is delivered now. The delivery worker runs in its own
    // thread and puts the message into the mailbox after the 202, so the fetch waits for it (bounded).
    const gewerbeamt = firstAnswer.destinations.find((d) => d.destinationId === 'dresden-gewerbeamt')!;
    const fetched = await pollValue(
      async () => {
        const res = await fetch(`${url}/v1/mailbox/dresden-gewerbeamt/messages/${gewerbeamt.messageId}`, {
          headers: { authorization: 'Bearer dresden-mailbox-demo-token' },
        });
        await res.arrayBuffer();
        return res.status;
      },
      (status) => status !== 404,
    );
    expect(fetched).toBe(200);

    const again = await postJson(url, '/v1/submissions', dresden.envelope, { 'idempotency-key': key });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(firstAnswer.statusUrl);
    const answer = again.body as unknown as Answer;
    expect(answer.submissionId).toBe(firstAnswer.submissionId);
    expect(answer.statusUrl).toBe(firstAnswer.statusUrl);
    const byDestination = Object.fromEntries(answer.destinations.map((d) => [d.destinationId, d]));
    expect(byDestination['dresden-gewerbeamt']).toEqual({
      destinationId: 'dresden-gewerbeamt',
      messageId: gewerbeamt.messageId,
      status: 'delivered',
    });
    expect(byDestination['statistik-sachsen']?.status).toBe('pending');
    expect(answer.status).toBe('pending');

    // Nothing new was created: the portal's list holds the one submission of this reference.
    const list = await getJson(url, '/v1/submissions?limit=100');
    const submissions = (list.body.submissions as { submissionId: string; reference?: string }[]).filter(
      (s) => s.reference === dresden.envelope.reference,
    );
    expect(submissions.map((s) => s.submissionId)).toEqual([firstAnswer.submissionId]);
  });
});
