import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAdapter, httpAdapterConfigSchema } from '../../src/adapters/http.js';
import { refusedAddress } from '../../src/adapters/guarded-agent.js';

const deny = { allowLoopback: false, allowLinkLocal: false };
const allowLoopback = { allowLoopback: true, allowLinkLocal: false };

describe('the outbound address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback address'],
    ['127.8.9.10', 'loopback address'],
    ['::1', 'loopback address'],
    ['::ffff:127.0.0.1', 'loopback address'],
    ['169.254.169.254', 'link-local address'],
    ['fe80::1', 'link-local address'],
    ['0.0.0.0', 'unspecified address'],
    ['::', 'unspecified address'],
    ['10.20.30.40', undefined],
    ['192.168.1.10', undefined],
    ['2001:db8::1', undefined],
  ])('%s → %s', (address, reason) => {
    expect(refusedAddress(address, deny)).toBe(reason);
  });

  it('lets loopback through where allowed, unspecified never', () => {
    expect(refusedAddress('127.0.0.1', allowLoopback)).toBeUndefined();
    expect(refusedAddress('0.0.0.0', allowLoopback)).toBe('unspecified address');
  });
});

describe('push deliveries under the policy', () => {
  let server: Server;
  let port = 0;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    process.env.AMTSBOTE_TEST_WEBHOOK_SECRET =
      'whsec_' + Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
  });
  afterAll(
    () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  );

  const message = {
    messageId: 'm-1',
    submissionId: 's-1',
    destinationId: 'push',
    serviceKey: '99050012104000',
    contentType: 'application/json',
    body: '{}',
  };
  const deliver = (host: string, outbound: typeof deny) =>
    createHttpAdapter(
      httpAdapterConfigSchema.parse({
        kind: 'http',
        url: `http://${host}:${port}/in`,
        webhookSecret: 'env:AMTSBOTE_TEST_WEBHOOK_SECRET',
        timeoutMs: 2000,
      }),
      { dataDir: '/tmp', configDir: '/tmp', outbound, now: () => new Date() },
    ).deliver(message, undefined, new AbortController().signal);

  it('refuses loopback by address and by a name that resolves to it, without connecting, as a dead letter', async () => {
    const before = requests;
    expect(await deliver('127.0.0.1', deny)).toEqual({ kind: 'failed', reason: 'outbound-address-refused' });
    expect(await deliver('localhost', deny)).toEqual({ kind: 'failed', reason: 'outbound-address-refused' });
    expect(await deliver('[::ffff:127.0.0.1]', deny)).toEqual({ kind: 'failed', reason: 'outbound-address-refused' });
    expect(requests).toBe(before);
  });

  it('delivers where the policy allows loopback', async () => {
    expect(await deliver('127.0.0.1', allowLoopback)).toMatchObject({ kind: 'delivered', httpStatus: 200 });
    expect(await deliver('localhost', allowLoopback)).toMatchObject({ kind: 'delivered', httpStatus: 200 });
  });
});
