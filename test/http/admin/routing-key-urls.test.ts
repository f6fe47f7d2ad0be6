import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Routing } from '../../../src/config/routing-schema.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { adminCall, adminTokens } from '../../helpers/http.js';

let gw: TestGateway;
let server: Server;
let base: string;
let closedPort: number;
beforeAll(async () => {
  gw = await startTestGateway();
  // What an editor could point a jwksUrl at to learn about a host: a 404, a page that is not JSON, a key set without
  // keys.
  server = createServer((req, res) => {
    if (req.url === '/html') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>an intranet page</html>');
    else if (req.url === '/keyless') res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port that nothing listens on: bound, noted and closed again.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) =>
    probe.close(() => {
      resolve();
    }),
  );
});
afterAll(async () => {
  await gw.stop();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
});

describe('a key URL an editor sets', () => {
  it('is refused with one reason whatever went wrong — closed port, 404, not JSON, no keys — and the cause is logged', async () => {
    const urls = [`http://127.0.0.1:${closedPort}/jwks.json`, `${base}/missing`, `${base}/html`, `${base}/keyless`];
    const answers: unknown[] = [];
    for (const url of urls) {
      const current = await adminCall(gw.url, 'GET', '/routing', adminTokens.editor);
      const document = structuredClone(current.body.document as Routing);
      document.destinations.find((d) => d.id === 'leipzig-gewerbeamt')!.encryptionKey = {
        jwksUrl: url,
        refreshSeconds: 3600,
      };
      const saved = await adminCall(
        gw.url,
        'PUT',
        '/routing',
        adminTokens.editor,
        { note: 'Schlüssel per URL', document },
        { 'if-match': current.headers.get('etag')! },
      );
      expect(saved.status).toBe(422);
      answers.push({ title: saved.body.title, detail: saved.body.detail, errors: saved.body.errors });
    }
    const index = (await adminCall(gw.url, 'GET', '/routing', adminTokens.editor)).body.document as Routing;
    const pointer = `/document/destinations/${index.destinations.findIndex((d) => d.id === 'leipzig-gewerbeamt')}/encryptionKey`;
    expect(answers[0]).toMatchObject({
      errors: [{ pointer, detail: 'the key set could not be fetched or used (the gateway log says why)' }],
    });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    // The operator finds each cause in the log.
    const logs = gw.logs();
    expect(logs).toContain('answered HTTP 404');
    expect(logs).toContain('is not JSON');
    expect(logs).toMatch(/cannot be fetched/);
  });
});
