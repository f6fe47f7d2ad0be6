import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { recipientKeyResolver } from '../../src/gateway/seal-setup.js';
import { projectRoot } from '../helpers/paths.js';

// Key endpoints are fetched under the same outbound address policy as deliveries.
let server: Server;
let requests = 0;
let url = '';
beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://localhost:${(server.address() as AddressInfo).port}/keys`;
});
afterAll(
  () =>
    new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    ),
);

describe("fetching recipients' key sets", () => {
  const demo = loadConfig({ configFile: join(projectRoot, 'config/gateway.yaml'), env: {} });

  it('does not connect to a loopback key endpoint when the policy forbids it', async () => {
    const resolver = await recipientKeyResolver({
      ...demo,
      gateway: { ...demo.gateway, outbound: { allowLoopback: false, allowLinkLocal: false } },
    });
    await expect(resolver.encryptionKey({ jwksUrl: url })).rejects.toThrow();
    expect(requests).toBe(0);
  });

  it('fetches it where loopback is allowed', async () => {
    const resolver = await recipientKeyResolver(demo);
    // the set is empty, so no key is found — but the endpoint was asked
    await expect(resolver.encryptionKey({ jwksUrl: url })).rejects.toThrow();
    expect(requests).toBe(1);
  });
});
