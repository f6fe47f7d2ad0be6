import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealedMessage, sendReceipt } from '../../src/receiver/index.js';
import { loadExamples } from '../helpers/examples.js';
import { getJson, postJson, testFetch } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { pollValue } from '../helpers/wait.js';

/**
 * Receipts at `POST /v1/events` as third-party clients build them — signed by python3-jwcrypto, not by the
 * gateway's own code or the receiver kit — with what FIT-Connect's set-payload schema allows (issue 22 item 3):
 * `typ` in each spelling RFC 7515 permits, any set-payload `1.x.y`, the claims `toe` and `aud`. What makes a
 * receipt trustworthy stays strict: key, signature, alg, sub/txn, iat window, jti, one event, the tags.
 */

/** Debian's python3-jwcrypto lives in the system Python; a pyenv or venv `python3` first on PATH may lack it. */
function findPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import jwcrypto'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}
const python = findPython();
const script = join(projectRoot, 'test/e2e/sign_set_with_jwcrypto.py');

type Json = Record<string, unknown>;
interface Spec {
  jwk: Json;
  header: Json;
  claims: Json;
}
/** Signs every spec in one Python run (its start costs more than the signing). */
function signWithJwcrypto(specs: Spec[]): string[] {
  const result = spawnSync(python!, [script], { input: JSON.stringify(specs), encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`jwcrypto failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}

const demoJwk = (name: string) =>
  JSON.parse(readFileSync(join(projectRoot, `config/demo/${name}.private-jwk.DEVELOPMENT-ONLY.json`), 'utf8')) as Json;
const schema = (version: string) =>
  `https://schema.fitko.de/fit-connect/set-payload/${version}/set-payload.schema.json`;
const acceptEvent = 'https://schema.fitko.de/fit-connect/events/accept-submission';
const rejectEvent = 'https://schema.fitko.de/fit-connect/events/reject-submission';

const dir = mkdtempSync(join(tmpdir(), 'amtsbote-receipts-jwcrypto-'));
let gateway: GatewayProcess;
const anmeldung = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;
const own = demoJwk('dresden-gewerbeamt.receipt-signing');

beforeAll(async () => {
  if (python) gateway = await spawnGateway({ AMTSBOTE_DATA_DIR: join(dir, 'data') });
});
afterAll(async () => {
  await (gateway as GatewayProcess | undefined)?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A message to dresden-gewerbeamt, fetched from its mailbox and opened: its ids and authentication tags. */
async function deliveredMessage(reference: string) {
  const accepted = await postJson(gateway.url, '/v1/submissions', { ...anmeldung.envelope, reference });
  expect(accepted.status).toBe(202);
  const destinations = accepted.body.destinations as { destinationId: string; messageId: string }[];
  const messageId = destinations.find((d) => d.destinationId === 'dresden-gewerbeamt')!.messageId;
  const res = await pollValue(
    () =>
      testFetch(`${gateway.url}/v1/mailbox/dresden-gewerbeamt/messages/${messageId}`, {
        headers: { authorization: 'Bearer dresden-mailbox-demo-token' },
      }),
    (r) => r.status !== 404,
  );
  expect(res.status).toBe(200);
  const jwks = (await (await testFetch(`${gateway.url}/.well-known/jwks.json`)).json()) as { keys: Json[] };
  const opened = await openSealedMessage(await res.text(), {
    recipientKeys: [demoJwk('dresden-gewerbeamt.encryption')],
    gatewayJwks: jwks,
  });
  return { submissionId: accepted.body.submissionId as string, messageId, tags: opened.authenticationTags };
}

type Delivered = Awaited<ReturnType<typeof deliveredMessage>>;
/** A receipt spec as a FIT-Connect client builds it; `claims` and `header` override or (undefined) drop members. */
function spec(message: Delivered, options: { header?: Json; claims?: Json; jwk?: Json; accept?: boolean } = {}): Spec {
  const claims: Json = {
    $schema: schema('1.2.2'),
    jti: randomUUID(),
    iss: 'dresden-gewerbeamt',
    iat: Math.floor(Date.now() / 1000),
    sub: `submission:${message.messageId}`,
    txn: `case:${message.submissionId}`,
    events:
      options.accept === false
        ? { [rejectEvent]: { problems: [{ type: 'https://example.org/problems/x', title: 'Unvollständig' }] } }
        : { [acceptEvent]: { authenticationTags: message.tags } },
    ...options.claims,
  };
  const header: Json = { typ: 'secevent+jwt', alg: 'PS512', kid: own.kid, ...options.header };
  const drop = (o: Json) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return { jwk: options.jwk ?? own, header: drop(header), claims: drop(claims) };
}

const stateOf = async (submissionId: string) =>
  (
    (await getJson(gateway.url, `/v1/submissions/${submissionId}`)).body.destinations as {
      destinationId: string;
      status: string;
    }[]
  ).find((d) => d.destinationId === 'dresden-gewerbeamt')?.status;

describe.skipIf(!python)(
  'POST /v1/events: receipts signed by python3-jwcrypto (skipped: python3-jwcrypto is not importable; apt-get install -y python3-jwcrypto)',
  () => {
    it('accepts what FIT-Connect allows: typ spellings, set-payload 1.1.0 / 1.2.2 / 1.x.y, toe and aud', async () => {
      const messages = [
        await deliveredMessage('JWCRYPTO-1'),
        await deliveredMessage('JWCRYPTO-2'),
        await deliveredMessage('JWCRYPTO-3'),
      ];
      const [a, b, c] = messages as [Delivered, Delivered, Delivered];
      const receipts = signWithJwcrypto([
        spec(a, {
          header: { typ: 'application/secevent+jwt' },
          claims: {
            $schema: schema('1.1.0'),
            toe: Math.floor(Date.now() / 1000) - 60,
            aud: 'https://amtsbote.example',
          },
        }),
        spec(b, {
          header: { typ: 'Secevent+JWT' },
          claims: { aud: ['https://amtsbote.example', 'https://fit-connect.example'] },
          accept: false,
        }),
        spec(c, { claims: { $schema: schema('1.9.12'), toe: Math.floor(Date.now() / 1000) } }),
      ]);
      const answers = [];
      for (const receipt of receipts) answers.push(await sendReceipt(gateway.url, receipt));
      expect(answers.map((r) => r.status)).toEqual([202, 202, 202]);
      expect(await Promise.all(messages.map((m) => stateOf(m.submissionId)))).toEqual([
        'accepted',
        'rejected',
        'accepted',
      ]);
      // The receipt is kept verbatim, extra claims and all.
      const events = await getJson(gateway.url, `/v1/submissions/${a.submissionId}/events`);
      expect((events.body.events as { data: { receipt?: string } }[]).map((e) => e.data.receipt)).toContain(
        receipts[0],
      );
    });

    it('still refuses forged and broken receipts — wrong key, sub, txn, iat, alg, two events, tags, $schema — and a replay', async () => {
      const message = await deliveredMessage('JWCRYPTO-FORGED');
      const other = await deliveredMessage('JWCRYPTO-OTHER');
      const now = Math.floor(Date.now() / 1000);
      const cases: [string, Spec, string][] = [
        [
          "another destination's key under this kid",
          spec(message, { jwk: { ...demoJwk('leipzig-gewerbeamt.receipt-signing'), kid: own.kid } }),
          'signature',
        ],
        ['an unknown kid', spec(message, { header: { kid: 'not-registered' } }), 'unknown-key'],
        [
          'sub of another message',
          spec(message, { claims: { sub: `submission:${other.messageId}` } }),
          'unknown-message',
        ],
        ['txn of another case', spec(message, { claims: { txn: `case:${other.submissionId}` } }), 'unknown-message'],
        ['iat 8 days ago', spec(message, { claims: { iat: now - 8 * 86_400 } }), 'iat'],
        ['iat an hour ahead', spec(message, { claims: { iat: now + 3600 } }), 'iat'],
        ['alg none', spec(message, { header: { alg: 'none' } }), 'header'],
        [
          'alg HS256 (a MAC with a guessable secret)',
          spec(message, { header: { alg: 'HS256' }, jwk: { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0' } }),
          'header',
        ],
        ['typ JWT', spec(message, { header: { typ: 'JWT' } }), 'header'],
        ['no typ', spec(message, { header: { typ: undefined } }), 'header'],
        [
          'two events',
          spec(message, {
            claims: {
              events: {
                [acceptEvent]: { authenticationTags: message.tags },
                [rejectEvent]: { problems: [{ type: 'https://example.org/p', title: 'x' }] },
              },
            },
          }),
          'claims',
        ],
        [
          'wrong tags',
          spec(message, {
            claims: {
              events: { [acceptEvent]: { authenticationTags: { ...message.tags, data: 'AAAAAAAAAAAAAAAAAAAAAA' } } },
            },
          }),
          'tags-mismatch',
        ],
        ['no $schema', spec(message, { claims: { $schema: undefined } }), 'claims'],
        ['set-payload 2.0.0', spec(message, { claims: { $schema: schema('2.0.0') } }), 'claims'],
        ['no jti', spec(message, { claims: { jti: undefined } }), 'claims'],
      ];
      const signed = signWithJwcrypto(cases.map(([, s]) => s));
      for (const [i, [name, , reason]] of cases.entries()) {
        const answer = await sendReceipt(gateway.url, signed[i]!);
        expect([answer.status, name]).toEqual([422, name]);
        expect(JSON.parse(answer.body), name).toMatchObject({ reason });
      }
      expect(await stateOf(message.submissionId)).toBe('delivered');

      const [genuine] = signWithJwcrypto([spec(message, { header: { typ: 'application/secevent+jwt' } })]);
      expect((await sendReceipt(gateway.url, genuine!)).status).toBe(202);
      const replayed = await sendReceipt(gateway.url, genuine!);
      expect(replayed.status).toBe(409);
      expect(JSON.parse(replayed.body)).toMatchObject({ reason: 'replayed' });
      expect(await stateOf(message.submissionId)).toBe('accepted');
    });
  },
);
