#!/usr/bin/env node
// Sealed messages per second (PS512/RSA-4096 sign + RSA-OAEP-256/A256GCM encrypt of a 12 KB message)
// next to the raw node:crypto PS512 sign rate on all cores of this machine, and their ratio.
//
// Run after a build:   npm run build && node bench/seal.bench.mjs
// Options (env):       BENCH_SECONDS=5 (per measurement), BENCH_CONCURRENCY=<2 × cores>
// Prints figures only; never part of pass/fail.
import { Buffer } from 'node:buffer';
import { constants, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { root } from './lib/harness.mjs';
import { ratePerSecond, signOnce } from './lib/sign-rate.mjs';
const seal = await import(join(root, 'dist/src/seal/index.js')).catch(() => {
  console.error('dist/src/seal/index.js is missing: run "npm run build" first');
  process.exit(2);
});

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const cores = availableParallelism();
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? cores * 2);
const fixture = (name) =>
  readFileSync(join(root, `test/fixtures/keys/${name}.private-jwk.DEVELOPMENT-ONLY.json`), 'utf8');

const parsed = seal.parsePrivateKey(fixture('gateway-signing-1'), 'gateway-signing-1');
const signingKey = await seal.importSigningKey(parsed.key, parsed.kid, 'gateway-signing-1');
const recipientJwk = JSON.parse(fixture('recipient-encryption'));
const { kty, n, e, kid } = recipientJwk;
const recipient = await seal.checkEncryptionJwk(
  { kty, n, e, kid, alg: 'RSA-OAEP-256', key_ops: ['wrapKey'] },
  seal.defaultRecipientKeyPolicy,
);

// A 12 KB XÖV-like body.
const row = '<person><familienname>Müller-Lüdenscheidt</familienname><vorname>Anna Maria</vorname></person>\n';
const body =
  `<?xml version="1.0" encoding="UTF-8"?>\n<nachricht>\n${row.repeat(Math.ceil((12 * 1024) / Buffer.byteLength(row)))}</nachricht>\n`.slice(
    0,
    12 * 1024,
  );
let counter = 0;
const input = () => ({
  messageId: `bench-${++counter}`,
  submissionId: 'bench-submission',
  destinationId: 'bench-destination',
  service: { key: '99050012104000' },
  region: { key: '146120000000' },
  standard: { name: 'xgewerbeanzeige', version: '2.2', message: 'alg.gewerbemeldung.0300', schemaSet: 'bench' },
  test: true,
  data: { content: body, mediaType: 'application/xml' },
  attachments: [],
});

const rate = (op) => ratePerSecond(op, { seconds, concurrency });
const rawSign = () => signOnce(parsed.key, Buffer.from(body));

// Warm up both paths (key import caches, JIT).
for (let i = 0; i < 5; i++) {
  await rawSign();
  await seal.sealMessage(input(), { signing: signingKey, recipient });
}

const raw = await rate(rawSign);
const sealed = await rate(() => seal.sealMessage(input(), { signing: signingKey, recipient }));
const rawOneCore = (() => {
  let done = 0;
  const end = performance.now() + Math.min(seconds, 3) * 1000;
  const started = performance.now();
  while (performance.now() < end) {
    sign('sha512', Buffer.from(body), { key: parsed.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 });
    done++;
  }
  return done / ((performance.now() - started) / 1000);
})();

const fmt = (x) => x.toFixed(1).padStart(8);
console.log(
  `Node ${process.version}, ${cores} cores, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4}, concurrency ${concurrency}, ${seconds} s per measurement, 12 KB body`,
);
console.log(`raw node:crypto PS512 sign, async, all cores   ${fmt(raw)} /s`);
console.log(`raw node:crypto PS512 sign, sync, one core     ${fmt(rawOneCore)} /s`);
console.log(`sealed messages (sign + 2 JWE), all cores      ${fmt(sealed)} /s`);
console.log(`ratio sealed / raw sign (all cores)            ${(sealed / raw).toFixed(3).padStart(8)}`);
