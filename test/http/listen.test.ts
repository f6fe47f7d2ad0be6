import express from 'express';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../src/http/listen.js';

let server: Listening | undefined;
beforeAll(async () => {
  const app = express();
  // answers at once, before any later listener could set a header
  app.get('/at-once', (_req, res) => {
    res.status(204).end();
  });
  server = await listen(app, { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server?.close();
});

describe('the server keeps idle connections longer than it tells clients', () => {
  it('announces a keep-alive timeout at least five seconds below the one it enforces, on every answer', async () => {
    const { url, server: node } = server!;
    for (const path of ['/at-once', '/unknown']) {
      const res = await request(url + path);
      await res.body.dump();
      const announced = /^timeout=(\d+)$/.exec(String(res.headers['keep-alive']))?.[1];
      expect(announced, path).toBeDefined();
      // node closes an idle connection after keepAliveTimeout (+1 s); a client that honours the hint drops it
      // 1–2 s before the announced time: the gap is the margin a client on a busy machine has
      expect(Number(announced) * 1000 + 5000, path).toBeLessThanOrEqual(node.keepAliveTimeout);
      expect(res.headers.connection, path).toBe('keep-alive');
    }
    // and still long enough that a load balancer's idle close (60 s) comes first
    expect(node.keepAliveTimeout).toBeGreaterThan(60_000);
  });
});
