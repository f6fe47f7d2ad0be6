import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferredDeadLetterReasons } from '../../src/delivery/deferred-deadlines.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { adminCall, adminTokens, getJson, postJson, testFetch } from '../helpers/http.js';
import { eventually } from '../helpers/outbox.js';
import { editRouting } from '../helpers/routing-edit.js';

/**
 * Nothing waits forever (issue 27): deferred deliveries behind a Gewerbeamt that never confirms, with the
 * gateway's clock in the test's hand. Dresden's Gewerbeanmeldung releases the statistics office's copy after
 * an hour (`release`), its Gewerbeabmeldung dead-letters it after two (`dead-letter`).
 */
const dresden = '146120000000';
const anmeldung = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;
const abmeldung = loadExamples().find((e) => e.file === 'dresden-betriebsaufgabe.json')!;

/** The gateway's clock: the real time, or a fixed instant the test sets. */
let frozen: number | undefined;
const clock = () => new Date(frozen ?? Date.now());
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ clock });
  await editRouting(
    gw.url,
    (r) => {
      for (const rule of r.rules.filter((x) => x.region === dresden && x.service === anmeldung.envelope.serviceKey)) {
        rule.destinations = ['dresden-gewerbeamt'];
        rule.deferred = {
          after: 'dresden-gewerbeamt',
          destinations: ['statistik-sachsen'],
          maxWait: 'PT1H',
          onTimeout: 'release',
        };
      }
      for (const rule of r.rules.filter((x) => x.region === dresden && x.service === abmeldung.envelope.serviceKey)) {
        rule.destinations = ['dresden-gewerbeamt'];
        rule.deferred = {
          after: 'dresden-gewerbeamt',
          destinations: ['statistik-sachsen'],
          maxWait: 'PT2H',
          onTimeout: 'dead-letter',
        };
      }
    },
    'Statistik nach Annahme, mit Fristen',
  );
});
afterAll(async () => {
  await (gw as TestGateway | undefined)?.stop();
});

interface Submitted {
  submissionId: string;
  trigger: string;
  deferred: string;
}

async function submit(example: typeof anmeldung, reference: string): Promise<Submitted> {
  const accepted = await postJson(gw.url, '/v1/submissions', { ...example.envelope, reference });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const destinations = accepted.body.destinations as { destinationId: string; messageId: string; status: string }[];
  expect(destinations.map((d) => [d.destinationId, d.status])).toEqual([
    ['dresden-gewerbeamt', 'pending'],
    ['statistik-sachsen', 'deferred'],
  ]);
  return {
    submissionId: accepted.body.submissionId as string,
    trigger: destinations[0]!.messageId,
    deferred: destinations[1]!.messageId,
  };
}

const delivery = async (id: string) =>
  (await adminCall(gw.url, 'GET', `/deliveries/${id}`, adminTokens.viewer)).body as {
    state: string;
    createdAt: string;
    deferredUntil?: string;
    onTimeout?: string;
    lastError?: string;
  };

/** The Gewerbeamt's procedure fetches its message: the trigger is delivered (and never confirmed). */
async function fetchFromMailbox(destination: string, token: string, messageId: string): Promise<string> {
  const res = await eventually(
    () =>
      testFetch(`${gw.url}/v1/mailbox/${destination}/messages/${messageId}`, {
        headers: { authorization: `Bearer ${token}` },
      }),
    (r) => r.status !== 404,
  );
  expect(res.status).toBe(200);
  return res.text();
}
const fetchTrigger = (s: Submitted) => fetchFromMailbox('dresden-gewerbeamt', 'dresden-mailbox-demo-token', s.trigger);

describe('deadlines of deferred deliveries', () => {
  it('releases a deferred delivery exactly at maxWait once its trigger is delivered; one whose trigger is not waits on for it', async () => {
    // the one whose trigger is never fetched comes first, so its deadline is the earlier one
    const undelivered = await submit(anmeldung, 'DEADLINE-UNDELIVERED');
    const silent = await submit(anmeldung, 'DEADLINE-SILENT');
    await fetchTrigger(silent);
    await eventually(
      () => delivery(silent.trigger),
      (d) => d.state === 'delivered',
    );

    const waiting = await delivery(silent.deferred);
    expect(waiting).toMatchObject({ state: 'deferred', onTimeout: 'release' });
    // the deadline is fixed at receipt: maxWait (PT1H) after the case was received
    expect(Date.parse(waiting.deferredUntil!)).toBe(Date.parse(waiting.createdAt) + 3_600_000);
    const deadline = Date.parse(waiting.deferredUntil!);
    expect(Date.parse((await delivery(undelivered.deferred)).deferredUntil!)).toBeLessThanOrEqual(deadline);

    frozen = deadline - 1;
    expect(await gw.deferredDeadlines!.runOnce()).toEqual({ released: 0, deadLettered: 0 });
    expect((await delivery(silent.deferred)).state).toBe('deferred');

    frozen = deadline;
    await gw.deferredDeadlines!.runOnce();
    expect((await delivery(silent.deferred)).state).not.toBe('deferred');
    // sealed from the escrow copy for the statistics office, and handed to its mailbox
    const sealed = await fetchFromMailbox('statistik-sachsen', 'statistik-mailbox-demo-token', silent.deferred);
    expect(JSON.parse(sealed)).toMatchObject({ format: 'amtsbote-sealed/1', messageId: silent.deferred });
    const events = (await getJson(gw.url, `/v1/submissions/${silent.submissionId}/events`)).body.events as {
      data: { messageId?: string; state?: string; released?: string };
    }[];
    expect(
      events.find((e) => e.data.messageId === silent.deferred && e.data.state === 'pending')?.data.released,
    ).toMatch(/did not confirm within the rule's maxWait/);

    // past its deadline too, but its trigger was never delivered: it waits for that, then goes at once
    expect((await delivery(undelivered.deferred)).state).toBe('deferred');
    await fetchTrigger(undelivered);
    await eventually(
      () => delivery(undelivered.trigger),
      (d) => d.state === 'delivered',
    );
    await gw.deferredDeadlines!.runOnce();
    expect((await delivery(undelivered.deferred)).state).not.toBe('deferred');
    frozen = undefined;
  });

  it('dead-letters a deferred delivery exactly at maxWait when its rule says dead-letter, with the reason, visible in the case', async () => {
    const unconfirmed = await submit(abmeldung, 'DEADLINE-DEAD-LETTER');
    const waiting = await delivery(unconfirmed.deferred);
    expect(waiting).toMatchObject({ state: 'deferred', onTimeout: 'dead-letter' });
    const deadline = Date.parse(waiting.deferredUntil!);
    expect(deadline).toBe(Date.parse(waiting.createdAt) + 2 * 3_600_000);

    frozen = deadline - 1;
    await gw.deferredDeadlines!.runOnce();
    expect((await delivery(unconfirmed.deferred)).state).toBe('deferred');

    frozen = deadline;
    await gw.deferredDeadlines!.runOnce();
    expect(await delivery(unconfirmed.deferred)).toMatchObject({
      state: 'dead-lettered',
      lastError: deferredDeadLetterReasons.timeout,
    });
    const status = (await getJson(gw.url, `/v1/submissions/${unconfirmed.submissionId}`)).body as { status: string };
    expect(status.status).toBe('dead-lettered');
    frozen = undefined;
  });

  it('refuses a maxWait that is not a duration of days, hours, minutes or seconds, with a pointer to it', async () => {
    const current = await adminCall(gw.url, 'GET', '/routing', adminTokens.editor);
    const document = structuredClone(current.body.document) as {
      rules: { service: string; region: string; deferred?: { maxWait: string } }[];
    };
    const index = document.rules.findIndex((r) => r.region === dresden && r.deferred);
    document.rules[index]!.deferred!.maxWait = 'P1M';
    const saved = await adminCall(
      gw.url,
      'PUT',
      '/routing',
      adminTokens.editor,
      { note: 'a month', document },
      { 'if-match': current.headers.get('etag')! },
    );
    expect(saved.status).toBe(422);
    expect(JSON.stringify(saved.body)).toContain(`/rules/${index}/deferred/maxWait`);
  });
});
