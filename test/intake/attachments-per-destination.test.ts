import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealedMessage } from '../../src/receiver/index.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';
import { startReceiver, type TestReceiver } from '../helpers/outbox.js';
import { projectRoot } from '../helpers/paths.js';
import { replayFromEscrow } from '../helpers/replay-from-escrow.js';

/**
 * A Gewerbeanmeldung in Dresden goes to the trade office and to the statistics office. The statistics office
 * is entitled to the fields of its message only: the mapping gives its message (sta.gewerbemeldung.0100) no
 * attachment, while the trade office still gets the applicant's documents — at intake, and when a message is
 * sealed again from the escrow copy (which keeps every attachment).
 */
const examples = loadExamples();
const attachment = (
  examples.find((e) => e.file === 'leipzig-gmbh.json')!.envelope as unknown as {
    attachments: { id: string; content: string }[];
  }
).attachments[0]!;
const envelope = {
  ...examples.find((e) => e.file === 'dresden-einzelunternehmen.json')!.envelope,
  attachments: [attachment],
};
const demoJwk = (name: string) =>
  JSON.parse(
    readFileSync(join(projectRoot, `config/demo/${name}.encryption.private-jwk.DEVELOPMENT-ONLY.json`), 'utf8'),
  ) as Record<string, unknown>;

let gw: TestGateway;
let receiver: TestReceiver;
let jwks: { keys: Record<string, unknown>[] };
beforeAll(async () => {
  receiver = await startReceiver();
  gw = await startTestGateway();
  jwks = (await (await fetch(gw.url + '/.well-known/jwks.json')).json()) as typeof jwks;
});
afterAll(async () => {
  await gw.stop();
  await receiver.close();
});

const open = (body: string, destinationId: string) =>
  openSealedMessage(body, {
    recipientKeys: [demoJwk(destinationId)],
    gatewayJwks: jwks,
    expectedDestinationId: destinationId,
  });
const messageIdFor = (body: Record<string, unknown>, destinationId: string) =>
  (body.destinations as { destinationId: string; messageId: string }[]).find((d) => d.destinationId === destinationId)!
    .messageId;

describe('attachments per destination', () => {
  it("seals no attachment into the statistics office's message, and the PDF into the trade office's", async () => {
    const accepted = await postJson(gw.url, '/v1/submissions', { ...envelope, reference: 'ATT-INTAKE' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);

    const statistics = await open(
      (await gw.store.getSealedMessage(messageIdFor(accepted.body, 'statistik-sachsen')))!.body,
      'statistik-sachsen',
    );
    expect(statistics.metadata.standard.message).toBe('sta.gewerbemeldung.0100');
    expect(statistics.attachments.size).toBe(0);
    expect(statistics.metadata.contentStructure.attachments).toEqual([]);
    expect(Object.keys(statistics.authenticationTags.attachments)).toEqual([]);
    expect(
      JSON.parse((await gw.store.getSealedMessage(messageIdFor(accepted.body, 'statistik-sachsen')))!.body),
    ).toMatchObject({ encryptedAttachments: {} });

    const trade = await open(
      (await gw.store.getSealedMessage(messageIdFor(accepted.body, 'dresden-gewerbeamt')))!.body,
      'dresden-gewerbeamt',
    );
    expect(trade.metadata.standard.message).toBe('alg.gewerbemeldung.0300');
    expect([...trade.attachments.keys()]).toEqual([attachment.id]);
    expect(trade.attachments.get(attachment.id)!.content).toEqual(Buffer.from(attachment.content, 'base64'));
    expect(trade.metadata.contentStructure.attachments.map((a) => a.attachmentId)).toEqual([attachment.id]);
  });

  it('re-seals from the escrow copy the same way: the trade office gets the PDF again, the statistics office none', async () => {
    // Both destinations point at a closed port, so both messages are dead-lettered at once; then both go to a
    // working receiver, and the replay with reroute seals each message again from escrow.
    const [tradeBody, statisticsBody] = await replayFromEscrow(
      gw.url,
      receiver,
      ['dresden-gewerbeamt', 'statistik-sachsen'],
      { ...envelope, reference: 'ATT-REPLAY' },
    );
    const trade = await open(tradeBody!, 'dresden-gewerbeamt');
    expect(trade.attachments.get(attachment.id)!.content).toEqual(Buffer.from(attachment.content, 'base64'));
    const statistics = await open(statisticsBody!, 'statistik-sachsen');
    expect(statistics.metadata.standard.message).toBe('sta.gewerbemeldung.0100');
    expect(statistics.attachments.size).toBe(0);
    expect(statistics.metadata.contentStructure.attachments).toEqual([]);
  }, 60_000);
});
