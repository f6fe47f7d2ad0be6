import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { tokenMatches } from '../../src/lib/token-hash.js';
import type { Store } from '../../src/store/store.js';
import { verifyChain } from '../../src/store/verify-chain.js';
import { getJson, postJson } from './http.js';

/**
 * What an old release answered to the submissions scripts/make-upgrade-fixture.mjs sent it (manifest.json of a
 * fixture under test/fixtures/upgrade/), and the checks every upgrade test makes against it, whatever the store.
 */
export interface SentSubmission {
  token: string;
  portal: string;
  idempotencyKey: string;
  body: unknown;
  submissionId: string;
  accepted: { destinations: { destinationId: string; messageId: string; status: string }[] };
  status: { serviceKey: string; regionKey: string; reference?: string; status: string; receivedAt: string };
}

export interface UpgradeManifest {
  commit: string;
  submissions: SentSubmission[];
}

export function readUpgradeManifest(fixture: string): UpgradeManifest {
  return JSON.parse(readFileSync(join(fixture, 'manifest.json'), 'utf8')) as UpgradeManifest;
}

export function pendingDeliveryCount(manifest: UpgradeManifest): number {
  return manifest.submissions.reduce((n, s) => n + s.accepted.destinations.length, 0);
}

/**
 * The upgraded store holds every submission with its status, its deliveries (all still pending) and an intact
 * event chain, and both demo portals with tokens that still match; `unsealed` of the deliveries have no sealed
 * message (accepted by a release before sealing).
 */
export async function expectCarried(store: Store, manifest: UpgradeManifest, unsealed: number): Promise<void> {
  for (const sent of manifest.submissions) {
    const record = await store.getSubmission(sent.submissionId);
    expect(record, sent.submissionId).toMatchObject({
      portalId: sent.portal,
      serviceKey: sent.status.serviceKey,
      regionKey: sent.status.regionKey,
      status: 'pending',
      receivedAt: sent.status.receivedAt,
    });
    expect(record!.deliveries.map((d) => [d.destinationId, d.id, d.state]).sort()).toEqual(
      sent.accepted.destinations.map((d) => [d.destinationId, d.messageId, 'pending']).sort(),
    );
    const events = await store.listEvents(sent.submissionId);
    expect(events.length).toBeGreaterThan(0);
    expect(verifyChain(sent.submissionId, events)).toEqual({ ok: true });
  }
  const portals = await store.listPortals();
  expect(portals.map((p) => p.id)).toEqual(['amt24', 'leipzig-portal']);
  expect(
    tokenMatches(
      'amt24-demo-token',
      portals[0]!.tokens.map((t) => t.hash),
    ),
  ).toBe(true);
  expect(await store.countUnsealedDeliveries()).toBe(unsealed);
}

/** Whether an old body's `payment` has the shape before FIT-Connect's `paymentInformation` (issue 22 item 4). */
const hasEarlierPayment = (body: unknown) =>
  typeof (body as { payment?: { method?: unknown } }).payment?.method === 'string';

/** An old body with its earlier `payment` in FIT-Connect's shape, as a portal sends it after the upgrade. */
function withCurrentPayment(body: unknown): unknown {
  if (!hasEarlierPayment(body)) return body;
  const { payment, ...rest } = body as { payment: Record<string, unknown> };
  const { method: _method, amount, status: _status, ...kept } = payment;
  return { ...rest, payment: { ...kept, paymentMethod: 'GIROPAY', status: 'BOOKED', grossAmount: amount } };
}

/**
 * The upgraded gateway serves each old submission to its portal with `status`, answers a retry with the old
 * Idempotency-Key with the old submission (not 409), and takes a new submission. A retry whose body still has
 * the earlier `payment` shape is refused (400, a pointer per changed field) like any request in that shape:
 * the envelope changed incompatibly, and CHANGELOG.md says so.
 */
export async function expectServedAfterUpgrade(url: string, manifest: UpgradeManifest, status: string): Promise<void> {
  for (const sent of manifest.submissions) {
    const answer = await getJson(url, `/v1/submissions/${sent.submissionId}`, sent.token);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ submissionId: sent.submissionId, status });
    const retry = await postJson(url, '/v1/submissions', sent.body, {
      authorization: `Bearer ${sent.token}`,
      'idempotency-key': sent.idempotencyKey,
    });
    if (hasEarlierPayment(sent.body)) {
      expect(retry.status, JSON.stringify(retry.body)).toBe(400);
      expect((retry.body.errors as { pointer: string }[]).map((e) => e.pointer)).toContain('/payment/method');
      continue;
    }
    expect(retry.status, JSON.stringify(retry.body)).toBeLessThan(300);
    expect(retry.body).toMatchObject({ submissionId: sent.submissionId });
  }
  expect(manifest.submissions.some((s) => !hasEarlierPayment(s.body))).toBe(true);
  const fresh = await postJson(url, '/v1/submissions', withCurrentPayment(manifest.submissions[0]!.body), {
    'idempotency-key': 'after-the-upgrade',
  });
  expect(fresh.status, JSON.stringify(fresh.body)).toBe(202);
  expect(manifest.submissions.map((s) => s.submissionId)).not.toContain(fresh.body.submissionId);
}
