import { spawnSync } from 'node:child_process';
import { createPublicKey, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySet } from '../../../src/seal/receipt/verify-set.js';
import { checkSubmission } from '../../../src/sources/fitconnect/check-submission.js';
import { rejectProblems } from '../../../src/sources/fitconnect/reject-problems.js';
import {
  importDecryptionKeys,
  importSubscriberSigningKey,
  type SubscriberSigningKey,
} from '../../../src/sources/fitconnect/subscriber-keys.js';
import { acceptSet, rejectSet } from '../../../src/sources/fitconnect/subscriber-sets.js';
import { projectRoot } from '../../helpers/paths.js';
import {
  deliveryServiceSigning,
  destinationEncryption,
  destinationSigning,
  gewerbeSchema,
  publicJwk,
  sendAsOnlineService,
} from './online-service.js';

/** Debian's python3-jwcrypto lives in the system Python; a pyenv or venv `python3` first on PATH may lack it. */
function findPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import jwcrypto'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

const python = findPython();
const script = join(projectRoot, 'test/sources/fitconnect/verify_set_with_jwcrypto.py');
const destinationId = '0c438057-ec3e-4ce0-b154-1683b5d3c2e8';
const acceptEvent = 'https://schema.fitko.de/fit-connect/events/accept-submission';
const rejectEvent = 'https://schema.fitko.de/fit-connect/events/reject-submission';

let signingKey: SubscriberSigningKey;
let dir: string;

beforeAll(async () => {
  signingKey = await importSubscriberSigningKey({ text: JSON.stringify(destinationSigning), origin: 'signing key' });
  dir = mkdtempSync(join(tmpdir(), 'amtsbote-fc-sets-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Verified {
  ok: boolean;
  error?: string;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown> & { events: Record<string, unknown> };
}

/** python3-jwcrypto's verdict on each SET, against the destination's public key and the expected claims. */
function verifyWithJwcrypto(
  sets: string[],
  expected: { iss: string; sub: string; txn: string },
  jwk = publicJwk(destinationSigning),
): Verified[] {
  const keyFile = join(dir, `key-${randomUUID()}.json`);
  const expectedFile = join(dir, `expected-${randomUUID()}.json`);
  writeFileSync(keyFile, JSON.stringify(jwk));
  writeFileSync(expectedFile, JSON.stringify(expected));
  const run = spawnSync(python ?? 'python3', [script, keyFile, expectedFile], {
    input: sets.join('\n') + '\n',
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.stdout.trim() === '') throw new Error(`jwcrypto script failed: ${run.stderr}`);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Verified);
}

describe.skipIf(!python)(
  'subscriber SETs, verified by python3-jwcrypto (skipped: python3-jwcrypto is not importable; apt-get install -y python3-jwcrypto)',
  () => {
    it("accept: PS512 with the destination's kid, the claims, the tags checkSubmission returned", async () => {
      const sent = await sendAsOnlineService();
      const result = await checkSubmission(sent.submission, {
        eventLog: sent.eventLog,
        deliveryServiceKey: () => Promise.resolve(publicJwk(deliveryServiceSigning)),
        decryptionKeys: await importDecryptionKeys([{ text: JSON.stringify(destinationEncryption), origin: 'key' }]),
        acceptedSchemas: [gewerbeSchema],
      });
      if (result.kind !== 'valid') throw new Error(JSON.stringify(result));
      const now = new Date('2026-12-07T17:00:00Z');
      const context = {
        destinationId,
        submissionId: sent.submission.submissionId,
        caseId: sent.submission.caseId,
        signingKey,
        now,
      };
      const set = await acceptSet(context, result.authenticationTags);
      const expected = {
        iss: destinationId,
        sub: `submission:${sent.submission.submissionId}`,
        txn: `case:${sent.submission.caseId}`,
      };
      const [verified] = verifyWithJwcrypto([set], expected);
      expect(verified).toMatchObject({
        ok: true,
        header: { alg: 'PS512', typ: 'secevent+jwt', kid: destinationSigning.kid },
      });
      expect(verified?.claims).toMatchObject({
        $schema: 'https://schema.fitko.de/fit-connect/set-payload/1.2.2/set-payload.schema.json',
        iat: Math.floor(now.getTime() / 1000),
        ...expected,
        events: { [acceptEvent]: { authenticationTags: result.authenticationTags } },
      });
      expect(Object.keys(verified?.claims?.events ?? {})).toEqual([acceptEvent]);
      expect(verified?.claims?.jti).toMatch(/^[0-9a-f-]{36}$/);

      // the gateway's own SET verification (what the delivery service does) agrees
      const ours = await verifySet(
        set,
        createPublicKey({ key: publicJwk(destinationSigning) as never, format: 'jwk' }),
        {
          now,
          maxAgeSeconds: 60,
          futureSkewSeconds: 60,
        },
      );
      expect(ours.event).toBe(acceptEvent);
    });

    it('reject: the problems checkSubmission found, type/title/detail/instance as the table gives them', async () => {
      const sent = await sendAsOnlineService({ tamper: { attachmentHash: true } });
      const result = await checkSubmission(sent.submission, {
        eventLog: sent.eventLog,
        deliveryServiceKey: () => Promise.resolve(publicJwk(deliveryServiceSigning)),
        decryptionKeys: await importDecryptionKeys([{ text: JSON.stringify(destinationEncryption), origin: 'key' }]),
        acceptedSchemas: [gewerbeSchema],
      });
      if (result.kind !== 'reject') throw new Error(JSON.stringify(result));
      const context = {
        destinationId,
        submissionId: sent.submission.submissionId,
        caseId: sent.submission.caseId,
        signingKey,
      };
      const set = await rejectSet(context, result.problems);
      const expected = {
        iss: destinationId,
        sub: `submission:${sent.submission.submissionId}`,
        txn: `case:${sent.submission.caseId}`,
      };
      const [verified] = verifyWithJwcrypto([set], expected);
      expect(verified?.ok).toBe(true);
      expect(verified?.claims?.events).toEqual({
        [rejectEvent]: {
          problems: [
            {
              type: rejectProblems['hash-mismatch'].type,
              title: rejectProblems['hash-mismatch'].title,
              detail: 'The SHA-512 of the attachment differs from its hash in the metadata.',
              instance: `attachment:${sent.attachmentIds[0]}`,
            },
          ],
        },
      });
    });

    it('fails the verification with another key, and for a SET about another submission', async () => {
      const submissionId = randomUUID();
      const caseId = randomUUID();
      const set = await rejectSet({ destinationId, submissionId, caseId, signingKey }, [
        { type: rejectProblems['data-missing'].type, title: 'Fachdaten fehlen', detail: 'x', instance: 'data' },
      ]);
      const expected = { iss: destinationId, sub: `submission:${submissionId}`, txn: `case:${caseId}` };
      const otherKey = { ...publicJwk(deliveryServiceSigning), kid: destinationSigning.kid };
      expect(verifyWithJwcrypto([set], expected, otherKey)[0]?.ok).toBe(false);
      expect(verifyWithJwcrypto([set], { ...expected, sub: `submission:${randomUUID()}` })[0]).toMatchObject({
        ok: false,
        error: 'AssertionError: sub',
      });
    });
  },
);

describe('subscriber SETs', () => {
  it('refuses a reject without problems, and a signing key without kid', async () => {
    expect(() => rejectSet({ destinationId, submissionId: 'a', caseId: 'b', signingKey }, [])).toThrow(RangeError);
    const { kid: _kid, ...withoutKid } = destinationSigning;
    await expect(
      importSubscriberSigningKey({ text: JSON.stringify(withoutKid), origin: 'no-kid.json' }),
    ).rejects.toThrow(/kid/);
  });
});
