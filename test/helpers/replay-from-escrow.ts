import { expect } from 'vitest';
import { adminCall, adminTokens, postJson } from './http.js';
import { eventually, type TestReceiver } from './outbox.js';
import { replayByPlan } from './replay.js';
import { editRouting } from './routing-edit.js';

/**
 * Submits `envelope` while the named destinations point at a closed port (one attempt each, so every message is
 * dead-lettered at once), then points them at `receiver` and replays the dead letters with reroute — a dry run
 * first, then its plan — so each message is sealed again from the escrow copy. Returns the sealed body each
 * destination received, in the order of `destinationIds`.
 */
export async function replayFromEscrow(
  base: string,
  receiver: TestReceiver,
  destinationIds: readonly string[],
  envelope: Record<string, unknown>,
): Promise<string[]> {
  const webhookSecret = 'file:demo/chemnitz-webhook.secret.DEVELOPMENT-ONLY';
  const broken = { kind: 'http', url: 'http://127.0.0.1:9/nowhere', timeoutMs: 2000, webhookSecret };
  const named = <D extends { id: string }>(all: D[]) => all.filter((d) => destinationIds.includes(d.id));
  await editRouting(
    base,
    (r) => {
      for (const d of named(r.destinations)) {
        d.adapter = broken as typeof d.adapter;
        d.retry = { initialDelaySeconds: 0.01, maxDelaySeconds: 0.01, maxAttempts: 1 };
      }
    },
    'Endpunkte außer Betrieb',
  );
  const accepted = await postJson(base, '/v1/submissions', envelope);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const messages = accepted.body.destinations as { destinationId: string; messageId: string }[];
  const ids = destinationIds.map((d) => messages.find((m) => m.destinationId === d)!.messageId);
  for (const id of ids) {
    const dead = await eventually(
      () => adminCall(base, 'GET', `/deliveries/${id}`, adminTokens.viewer),
      (r) => r.body.state === 'dead-lettered',
      20_000,
    );
    expect(dead.body.state, id).toBe('dead-lettered');
  }

  await editRouting(
    base,
    (r) => {
      for (const d of named(r.destinations))
        d.adapter = { kind: 'http', url: `${receiver.url}/${d.id}`, timeoutMs: 5000, webhookSecret };
    },
    'Endpunkte wieder in Betrieb',
  );
  const replay = await replayByPlan(base, adminTokens.editor, {
    ids,
    reroute: true,
    note: 'erneut aus der Treuhandkopie',
  });
  expect(replay.status, JSON.stringify(replay.body)).toBe(200);
  const arrived = await eventually(
    () => Promise.resolve(receiver.received.filter((r) => ids.includes(String(r.headers['amtsbote-message-id'])))),
    (got) => got.length >= ids.length,
    20_000,
  );
  expect(arrived).toHaveLength(ids.length);
  return ids.map((id) => arrived.find((r) => String(r.headers['amtsbote-message-id']) === id)!.body);
}
