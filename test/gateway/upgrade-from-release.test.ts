import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenMatches } from '../../src/lib/token-hash.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { verifyChain } from '../../src/store/verify-chain.js';
import { startTestGateway } from '../helpers/gateway.js';
import { getJson, postJson } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';

/**
 * A data dir made by the first release of the store (c42e8f0: portal tokens stored as plain hash strings,
 * Idempotency-Keys in clear, deliveries without sealed messages), produced by that release's own gateway
 * with scripts/make-upgrade-fixture.mjs, is opened by the current code.
 */
const fixture = join(projectRoot, 'test/fixtures/upgrade/c42e8f0');
interface Sent {
  token: string;
  portal: string;
  idempotencyKey: string;
  body: unknown;
  submissionId: string;
  accepted: { destinations: { destinationId: string; messageId: string; status: string }[] };
  status: { serviceKey: string; regionKey: string; reference?: string; status: string; receivedAt: string };
}
const manifest = JSON.parse(readFileSync(join(fixture, 'manifest.json'), 'utf8')) as {
  commit: string;
  submissions: Sent[];
};

const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-upgrade-'));
cpSync(join(fixture, 'data-dir'), dataDir, { recursive: true });
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
const storeFile = join(dataDir, 'amtsbote.sqlite');
const pendingDeliveries = manifest.submissions.reduce((n, s) => n + s.accepted.destinations.length, 0);

describe(`upgrading a SQLite data dir made by release ${manifest.commit.slice(0, 7)}`, () => {
  it('refuses to start while deliveries it cannot make are pending, and names the step that resolves them', async () => {
    await expect(startTestGateway({ dataDir })).rejects.toThrow(
      new RegExp(
        `holds ${pendingDeliveries} deliveries accepted by a release before sealing.*amtsbote store migrate --dead-letter-unsealed`,
        's',
      ),
    );
  });

  it('carried every submission, status, event log, portal token and pending delivery', async () => {
    const store = openSqliteStore(storeFile);
    try {
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
      expect(await store.countUnsealedDeliveries()).toBe(pendingDeliveries);
    } finally {
      await store.close();
    }
  });

  it('after the operator dead-letters the unsealed deliveries, serves the old submissions to their portals, answers their retries as before and takes new ones', async () => {
    const store = openSqliteStore(storeFile);
    try {
      expect(await store.deadLetterUnsealed(new Date().toISOString())).toBe(pendingDeliveries);
      expect(await store.countUnsealedDeliveries()).toBe(0);
    } finally {
      await store.close();
    }
    const gateway = await startTestGateway({ dataDir });
    try {
      for (const sent of manifest.submissions) {
        const status = await getJson(gateway.url, `/v1/submissions/${sent.submissionId}`, sent.token);
        expect(status.status, JSON.stringify(status.body)).toBe(200);
        expect(status.body).toMatchObject({ submissionId: sent.submissionId, status: 'dead-lettered' });
        // the Idempotency-Key stored in clear by the old release, hashed by migration 0010 with the data dir's secret
        const retry = await postJson(gateway.url, '/v1/submissions', sent.body, {
          authorization: `Bearer ${sent.token}`,
          'idempotency-key': sent.idempotencyKey,
        });
        expect(retry.status, JSON.stringify(retry.body)).toBeLessThan(300);
        expect(retry.body).toMatchObject({ submissionId: sent.submissionId });
      }
      const fresh = await postJson(gateway.url, '/v1/submissions', manifest.submissions[0]!.body, {
        'idempotency-key': 'after-the-upgrade',
      });
      expect(fresh.status, JSON.stringify(fresh.body)).toBe(202);
      expect(manifest.submissions.map((s) => s.submissionId)).not.toContain(fresh.body.submissionId);
    } finally {
      await gateway.stop();
    }
  });
});
