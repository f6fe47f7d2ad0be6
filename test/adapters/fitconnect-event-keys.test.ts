import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventKeyResolver, fitConnectDirectories } from '../../src/adapters/fitconnect/index.js';
import { guardedAgent } from '../../src/adapters/guarded-agent.js';

let server: Server;
let requests = 0;
let url: string;
beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
});

describe("the FIT-Connect adapter's key fetches", () => {
  it('obey the outbound policy when no resolver is given: a loopback key URL is never fetched', async () => {
    const outbound = { allowLoopback: false, allowLinkLocal: false };
    const dispatcher = guardedAgent(outbound, { connectTimeoutMs: 2000, headersTimeoutMs: 2000, bodyTimeoutMs: 2000 });
    try {
      const context = { dataDir: '.', configDir: '.', outbound, now: () => new Date() };
      const resolver = eventKeyResolver(context, dispatcher, fitConnectDirectories(context));
      await expect(resolver.receiptKey({ jwksUrl: url })).rejects.toThrow(
        /outbound connection refused: loopback address/,
      );
      expect(requests).toBe(0);
    } finally {
      await dispatcher.destroy();
    }
  });
});
