import { spawnSync } from 'node:child_process';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { events, setPayloadSchema, tagOf } from '../fixtures/fitconnect-simulator/rules.js';
import { claimsOf } from '../fixtures/fitconnect-simulator/store.js';
import { projectRoot } from '../helpers/paths.js';
import { fixtureJwk, publicJwk } from '../seal/fixtures.js';

/**
 * `verify_subscriber_set.py`, the python3-jwcrypto check the pick-up's tests run on the SETs Amtsbote posts
 * (issue 23, "checked by"): it must pass a SET as the subscriber signs it and refuse each broken one.
 */
/** Debian's python3-jwcrypto lives in the system Python; a pyenv or venv `python3` first on PATH may lack it. */
function findPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(candidate, ['-c', 'import jwcrypto'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  return undefined;
}
const python = findPython();
const script = join(projectRoot, 'test/fixtures/fitconnect-simulator/verify_subscriber_set.py');

let sim: FitConnectSimulator;
let dir: string;
let jwkFile: string;
beforeAll(async () => {
  sim = await startFitConnectSimulator();
  dir = mkdtempSync(join(tmpdir(), 'amtsbote-verify-set-'));
  jwkFile = join(dir, 'destination-signature.jwk.json');
  writeFileSync(jwkFile, JSON.stringify(publicJwk(fixtureJwk('recipient-receipt-signing'), { key_ops: ['verify'] })));
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const verify = (set: string, args: string[] = []) => {
  const setFile = join(dir, `${randomUUID()}.jws`);
  writeFileSync(setFile, set);
  const result = spawnSync(python!, [script, setFile, jwkFile, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stderr: result.stderr.trim() };
};

describe.skipIf(!python)('verify_subscriber_set.py (python3-jwcrypto)', () => {
  it('passes an accept and a reject as the subscriber signs them, pinned to destination, submission, case, tags', async () => {
    const { destinationId } = sim.addDestination();
    const pdf = { content: Buffer.from('%PDF-1.4'), mediaType: 'application/pdf' };
    const sent = await sim.sendAsOnlineService(destinationId, { attachments: [pdf] });
    const submission = sim.submissions.get(sent.submissionId)!;
    const tags = {
      metadata: tagOf(submission.encryptedMetadata!),
      data: tagOf(submission.encryptedData!),
      attachments: { [sent.attachmentIds[0]!]: tagOf(submission.attachments.get(sent.attachmentIds[0]!)!) },
    };
    const tagsFile = join(dir, 'tags.json');
    writeFileSync(tagsFile, JSON.stringify(tags));
    const accept = await sim.subscriber.sign(sent.submissionId, events.accept, { authenticationTags: tags });
    const pinned = ['--destination', destinationId, '--submission', sent.submissionId, '--case', sent.caseId];
    expect(verify(accept, [...pinned, '--event', 'accept', '--tags', tagsFile])).toEqual({ status: 0, stderr: '' });
    // and the simulator, an independent implementation, takes the same SET
    expect(await sim.subscriber.post(sent.submissionId, accept)).toBe(204);

    const problems = [
      {
        type: 'https://schema.fitko.de/fit-connect/events/problems/an-example',
        title: 'Beispiel',
        detail: 'd',
        instance: 'metadata',
      },
    ];
    const reject = await sim.subscriber.sign(sent.submissionId, events.reject, { problems });
    expect(verify(reject, [...pinned, '--event', 'reject']).status).toBe(0);
  });

  it('refuses broken SETs with the reason', async () => {
    const { destinationId } = sim.addDestination();
    const sent = await sim.sendAsOnlineService(destinationId);
    const submission = sim.submissions.get(sent.submissionId)!;
    const tags = {
      metadata: tagOf(submission.encryptedMetadata!),
      data: tagOf(submission.encryptedData!),
      attachments: {},
    };
    const sign = (
      payload: Record<string, unknown>,
      variant?: Parameters<FitConnectSimulator['subscriber']['sign']>[4],
    ) => sim.subscriber.sign(sent.submissionId, events.accept, payload, undefined, variant);
    const good = await sign({ authenticationTags: tags });
    const [head, body, signature] = good.split('.') as [string, string, string];
    const otherTags = join(dir, 'other-tags.json');
    writeFileSync(otherTags, JSON.stringify({ ...tags, data: tags.metadata }));
    const cases: [string, string, string[], string][] = [
      ['a flipped signature', `${head}.${body}.${signature.slice(0, -4)}AAAA`, [], 'signature does not verify'],
      [
        'another key',
        await sim.subscriber.sign(
          sent.submissionId,
          events.accept,
          { authenticationTags: tags },
          {
            ...fixtureJwk('gateway-signing-1'),
            kid: 'test-recipient-sig-1',
          },
        ),
        [],
        'signature does not verify',
      ],
      ['no $schema', await sign({ authenticationTags: tags }, { schema: null }), [], 'claim $schema is missing'],
      [
        'set-payload 2.0.0',
        await sign({ authenticationTags: tags }, { schema: setPayloadSchema.replace('1.2.2', '2.0.0') }),
        [],
        'set-payload 1.x.y',
      ],
      ['tags of nothing', await sign({}), [], 'needs authenticationTags'],
      ['other tags', good, ['--tags', otherTags], 'authenticationTags differ'],
      ['another destination', good, ['--destination', randomUUID()], 'iss is not the destination'],
      ['another submission', good, ['--submission', randomUUID()], 'sub does not name'],
      ['another case', good, ['--case', randomUUID()], 'txn does not name'],
      ['a reject expected', good, ['--event', 'reject'], 'not reject-submission'],
      [
        'a reject without instance',
        await sim.subscriber.sign(sent.submissionId, events.reject, {
          problems: [{ type: `${events.reject}/x`, title: 't', detail: 'd' }],
        }),
        [],
        'lacks instance',
      ],
      [
        'two events',
        await new CompactSign(
          Buffer.from(
            JSON.stringify({
              ...claimsOf(good),
              events: { [events.accept]: { authenticationTags: tags }, [events.reject]: { problems: [] } },
            }),
          ),
        )
          .setProtectedHeader({ typ: 'secevent+jwt', alg: 'PS512', kid: 'test-recipient-sig-1' })
          .sign(createPrivateKey({ key: fixtureJwk('recipient-receipt-signing'), format: 'jwk' })),
        [],
        'exactly one event',
      ],
      ['not a JWS', 'no.jws', [], 'not a compact JWS'],
    ];
    for (const [label, set, args, reason] of cases) {
      const result = verify(set, args);
      expect(result.status, label).toBe(1);
      expect(result.stderr, label).toContain(reason);
    }
  });
});
