import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayJwks } from '../../src/seal/gateway-keys/public-jwks.js';
import { signingKeyFor } from '../../src/seal/gateway-keys/select-key.js';
import { sealMessage } from '../../src/seal/sealed-message/seal-message.js';
import { serializeContainer } from '../../src/seal/sealed-message/serialize-container.js';
import type { SealedMessage } from '../../src/seal/sealed-message/types.js';
import { projectRoot } from '../helpers/paths.js';
import {
  demoJwk,
  FIXED_CLOCK,
  recipientKey,
  sampleInput,
  SIGNING_1,
  SIGNING_2,
  testGatewayKeys,
} from '../seal/fixtures.js';

/** Debian's python3-jwcrypto lives in the system Python; a pyenv or venv `python3` first on PATH may lack it. */
function findPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import jwcrypto'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

const python = findPython();
const script = join(projectRoot, 'test/receiver/open_with_jwcrypto.py');

describe.skipIf(!python)(
  'interoperability: python3-jwcrypto opens a sealed message (skipped: python3-jwcrypto is not importable; apt-get install -y python3-jwcrypto)',
  () => {
    let dir: string;
    let sealed: SealedMessage;
    let files: { container: string; key: string; jwks: string; retiredOnly: string };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'amtsbote-jwcrypto-'));
      const keys = await testGatewayKeys();
      sealed = await sealMessage(
        // with how the applicant was identified and the payment: they are signed metadata members like the others
        {
          ...sampleInput(),
          authentication: { method: 'eid', levelOfAssurance: 'high' },
          paymentInformation: {
            transactionId: 'TX-2026-0211-7731',
            transactionReference: 'Kassenzeichen 5.0123.000123.4',
            paymentMethod: 'PAYPAL',
            status: 'BOOKED',
            grossAmount: 9370.63,
          },
        },
        { signing: signingKeyFor(keys, SIGNING_1), recipient: await recipientKey('dresden-gewerbeamt') },
        { clock: FIXED_CLOCK },
      );
      files = {
        container: join(dir, 'message.json'),
        key: join(dir, 'key.json'),
        jwks: join(dir, 'jwks.json'),
        retiredOnly: join(dir, 'retired.json'),
      };
      writeFileSync(files.container, serializeContainer(sealed.container));
      writeFileSync(files.key, JSON.stringify(demoJwk('dresden-gewerbeamt.encryption')), { mode: 0o600 });
      writeFileSync(files.jwks, JSON.stringify(gatewayJwks(keys, [SIGNING_2])));
      writeFileSync(files.retiredOnly, JSON.stringify(gatewayJwks(keys, [SIGNING_1])));
    });

    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    interface Opened {
      ok: boolean;
      error?: string;
      metadata: unknown;
      jwsHeader: unknown;
      dataHeader: unknown;
      data: string;
      attachments: Record<string, string>;
    }
    /** Runs the script once over several containers (Python's start costs more than the opening). */
    const run = (key: string, jwks: string, ...containers: string[]) => {
      const result = spawnSync(python!, [script, key, jwks, ...containers], { encoding: 'utf8' });
      return {
        status: result.status,
        stderr: result.stderr,
        results: result.stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Opened),
      };
    };

    it('decrypts with the recipient key and verifies with the published gateway JWKS', () => {
      const result = run(files.key, files.jwks, files.container);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const out = result.results[0]!;
      expect(out.metadata).toEqual(sealed.metadata);
      expect(out.metadata).toMatchObject({
        authentication: { method: 'eid', levelOfAssurance: 'high' },
        paymentInformation: { paymentMethod: 'PAYPAL', status: 'BOOKED', grossAmount: 9370.63 },
      });
      expect(out.jwsHeader).toEqual({ alg: 'PS512', kid: SIGNING_1, typ: 'JOSE', cty: 'application/json' });
      expect(out.dataHeader).toEqual({
        alg: 'RSA-OAEP-256',
        enc: 'A256GCM',
        kid: 'dresden-gewerbeamt-enc-2026',
        cty: 'application/xml',
      });
      expect(Buffer.from(out.data, 'base64').toString('utf8')).toBe(sampleInput().data.content);
      expect(
        Object.fromEntries(Object.entries(out.attachments).map(([id, b64]) => [id, Buffer.from(b64, 'base64')])),
      ).toEqual(Object.fromEntries(sampleInput().attachments.map((a) => [a.id, a.content])));
    });

    it('opens the positive test vectors of docs/sealed-message.md to their expected parts and refuses the others', () => {
      const vectors = JSON.parse(readFileSync(join(projectRoot, 'docs/sealed-message-vectors.json'), 'utf8')) as {
        keys: { recipientPrivateJwk: unknown; gatewayJwks: unknown };
        vectors: {
          name: string;
          container: unknown;
          expect?: { metadata: unknown; data: { utf8: string }; attachments: Record<string, { base64: string }> };
        }[];
      };
      const key = join(dir, 'vector-key.json');
      const jwks = join(dir, 'vector-jwks.json');
      writeFileSync(key, JSON.stringify(vectors.keys.recipientPrivateJwk), { mode: 0o600 });
      writeFileSync(jwks, JSON.stringify(vectors.keys.gatewayJwks));
      const paths = vectors.vectors.map((vector) => {
        const file = join(dir, `${vector.name}.json`);
        writeFileSync(file, JSON.stringify(vector.container));
        return file;
      });
      const { results } = run(key, jwks, ...paths);
      expect(results).toHaveLength(vectors.vectors.length);
      for (const [i, vector] of vectors.vectors.entries()) {
        const out = results[i]!;
        expect(out.ok, `${vector.name}: ${out.error ?? ''}`).toBe(vector.expect !== undefined);
        if (!vector.expect) continue;
        expect(out.metadata).toEqual(vector.expect.metadata);
        expect(Buffer.from(out.data, 'base64').toString('utf8')).toBe(vector.expect.data.utf8);
        expect(out.attachments).toEqual(
          Object.fromEntries(Object.entries(vector.expect.attachments).map(([id, a]) => [id, a.base64])),
        );
      }
    });

    it('refuses it too when the signing key is not pinned', () => {
      const result = run(files.key, files.retiredOnly, files.container);
      expect(result.status).toBe(1);
      expect(result.results[0]).toMatchObject({ ok: false, error: 'AssertionError: kid not pinned' });
    });
  },
);
