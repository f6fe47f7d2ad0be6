// The raw rate of the step that bounds the pipeline: PS512/RSA-4096 signatures with node:crypto, asynchronous
// (libuv's thread pool, so every core works), with `concurrency` signatures in flight.
import { Buffer } from 'node:buffer';
import { constants, createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { root } from './harness.mjs';

/** The fixture gateway signing key (development only) as a KeyObject. */
export function fixtureSigningKey() {
  const jwk = JSON.parse(
    readFileSync(join(root, 'test/fixtures/keys/gateway-signing-1.private-jwk.DEVELOPMENT-ONLY.json'), 'utf8'),
  );
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

/** One asynchronous PS512 signature of `data`. */
export const signOnce = (key, data) =>
  new Promise((resolve, reject) => {
    sign('sha512', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, (error, signature) =>
      error ? reject(error) : resolve(signature),
    );
  });

/** Runs `op` with `concurrency` operations in flight for `seconds`; returns operations per second. */
export async function ratePerSecond(op, { seconds, concurrency }) {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const lane = async () => {
    while (performance.now() < end) {
      await op();
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  return done / ((performance.now() - started) / 1000);
}

/** Raw PS512 signatures per second on all cores (`concurrency` in flight, after a short warm-up). */
export async function rawSignRate({
  seconds,
  concurrency,
  data = Buffer.from('amtsbote bench: signed metadata '.repeat(40)),
}) {
  const key = fixtureSigningKey();
  for (let i = 0; i < 4; i++) await signOnce(key, data);
  return ratePerSecond(() => signOnce(key, data), { seconds, concurrency });
}
