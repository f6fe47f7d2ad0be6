/**
 * Test vectors of docs/sealed-reply.md: docs/sealed-reply-vectors.json holds fixed DEVELOPMENT-ONLY keys and
 * replies (written once by scripts/generate-reply-vectors.mjs). On every run the portal kit and an independent
 * opener written with python3-jwcrypto against the page alone open every vector: the same parts from the
 * positive ones, the same refusal (code and part) for the others. The page names every vector and code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOpenReplyError, openReply, type OpenReplyFailureCode } from '../../src/portal-kit/index.js';
import type { JsonWebKeySet } from '../../src/receiver/pinned-jwks.js';
import { projectRoot } from '../helpers/paths.js';

interface Expected {
  replyId: string;
  submissionId: string;
  seq: number;
  kind: string;
  destinationId: string;
  destinationKeyThumbprint: string;
  metadata: unknown;
  dataBase64: string;
  attachments: Record<string, { filename: string; mediaType: string; contentBase64: string }>;
}
interface Vector {
  name: string;
  reply: unknown;
  expect?: Expected;
  expectError?: { code: OpenReplyFailureCode; part: string };
}
const file = JSON.parse(readFileSync(join(projectRoot, 'docs/sealed-reply-vectors.json'), 'utf8')) as {
  keys: { portalReplyPrivateJwk: Record<string, unknown>; gatewayJwks: JsonWebKeySet };
  vectors: Vector[];
};
const page = readFileSync(join(projectRoot, 'docs/sealed-reply.md'), 'utf8');

/** What the portal kit gives for a vector, in the vectors' own terms. */
async function openWithKit(vector: Vector): Promise<Expected | { code: string; part: string }> {
  try {
    const opened = await openReply(JSON.stringify(vector.reply), {
      privateKeys: file.keys.portalReplyPrivateJwk,
      gatewayJwks: file.keys.gatewayJwks,
    });
    return {
      replyId: opened.replyId,
      submissionId: opened.submissionId,
      seq: opened.seq,
      kind: opened.kind,
      destinationId: opened.destinationId,
      destinationKeyThumbprint: opened.countersignature.destinationKeyThumbprint,
      metadata: opened.metadata,
      dataBase64: opened.data.toString('base64'),
      attachments: Object.fromEntries(
        [...opened.attachments].map(([id, a]) => [
          id,
          { filename: a.filename, mediaType: a.mediaType, contentBase64: a.content.toString('base64') },
        ]),
      ),
    };
  } catch (error) {
    if (isOpenReplyError(error)) return { code: error.code, part: error.part };
    throw error;
  }
}

describe('test vectors of docs/sealed-reply.md', () => {
  it('has two vectors that open and refusals of every kind the page promises', () => {
    expect(file.vectors.filter((v) => v.expect).length).toBe(2);
    expect(file.vectors.filter((v) => v.expectError).map((v) => v.expectError!.code)).toEqual(
      expect.arrayContaining(['signature-invalid', 'signed-metadata-mismatch', 'hash-mismatch', 'no-recipient-key']),
    );
  });

  it.each(file.vectors.map((v) => [v.name, v] as const))('the portal kit opens %s as expected', async (_, vector) => {
    const result = await openWithKit(vector);
    expect(result).toEqual(vector.expect ?? vector.expectError);
  });

  it('names every vector, every refusal code and every metadata member on the page', () => {
    for (const vector of file.vectors) expect(page).toContain(`\`${vector.name}\``);
    for (const vector of file.vectors.filter((v) => v.expectError)) expect(page).toContain(vector.expectError!.code);
    const metadata = file.vectors.find((v) => v.expect)!.expect!.metadata as Record<string, unknown>;
    for (const member of Object.keys(metadata)) expect(page).toContain(`\`${member}\``);
    const counter = JSON.parse(
      Buffer.from(
        (file.vectors[0]!.reply as { countersignature: string }).countersignature.split('.')[1]!,
        'base64url',
      ).toString('utf8'),
    ) as Record<string, unknown>;
    for (const member of Object.keys(counter)) expect(page).toContain(`\`${member}\``);
  });
});

/** Debian's python3-jwcrypto lives in the system Python; a pyenv or venv `python3` first on PATH may lack it. */
function findPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import jwcrypto'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}
const python = findPython();

describe.skipIf(!python)(
  'interoperability: python3-jwcrypto opens every reply vector following docs/sealed-reply.md alone (skipped: python3-jwcrypto is not importable; apt-get install -y python3-jwcrypto)',
  () => {
    let dir: string;
    let results: Record<string, unknown>[];
    let status: number | null;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'amtsbote-reply-vectors-'));
      const key = join(dir, 'portal-reply.private-jwk.json');
      const jwks = join(dir, 'gateway-jwks.json');
      writeFileSync(key, JSON.stringify(file.keys.portalReplyPrivateJwk), { mode: 0o600 });
      writeFileSync(jwks, JSON.stringify(file.keys.gatewayJwks));
      const paths = file.vectors.map((vector) => {
        const path = join(dir, `${vector.name}.json`);
        writeFileSync(path, JSON.stringify(vector.reply));
        return path;
      });
      const script = join(projectRoot, 'test/portal-kit/open_reply_with_jwcrypto.py');
      const run = spawnSync(python!, [script, key, jwks, ...paths], { encoding: 'utf8', timeout: 120_000 });
      expect(run.stderr).toBe('');
      status = run.status;
      results = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    }, 180_000);

    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('answers once per vector and exits 1 because some are refused', () => {
      expect(results.length).toBe(file.vectors.length);
      expect(status).toBe(1);
    });

    it.each(file.vectors.map((v, i) => [v.name, v, i] as const))('opens %s as expected', (_, vector, i) => {
      const { ok, detail: _detail, ...rest } = results[i]!;
      expect(ok).toBe(vector.expect !== undefined);
      expect(rest).toEqual(vector.expect ?? vector.expectError);
    });
  },
);
