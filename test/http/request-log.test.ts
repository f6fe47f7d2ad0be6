import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestLog } from '../../src/http/request-log.js';
import { createLogger } from '../../src/lib/logger.js';

const lines: Record<string, unknown>[] = [];
let base: string;
let close: () => void;
beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = express();
  app.use(requestLog(createLogger({ level: 'info', destination })));
  const v1 = express.Router();
  v1.get('/submissions/:submissionId', (_req, res) => {
    res.json({});
  });
  v1.get('/failing/:id', () => Promise.reject(new Error('refused')));
  // As the admin API: routers within a router mounted at a fixed path.
  const admin = express.Router();
  const routing = express.Router();
  routing.get('/routing/versions/:n', (_req, res) => {
    res.json({});
  });
  admin.use(routing);
  app.use('/v1', v1);
  app.use('/admin/v1', admin);
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(400).json({});
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => {
    server.close();
  };
});
afterAll(() => {
  close();
});

async function routeLogged(path: string): Promise<unknown> {
  const res = await fetch(base + path);
  await res.arrayBuffer();
  // 'finish' fires once the answer is written; the line follows within the same turn of the event loop.
  for (let i = 0; i < 50 && !lines.some((l) => l.requestId === res.headers.get('x-request-id')); i++)
    await new Promise((r) => setTimeout(r, 10));
  return lines.find((l) => l.requestId === res.headers.get('x-request-id'))?.route;
}

describe('request log', () => {
  it('names the route with its mount path, without the ids from the path', async () => {
    expect(await routeLogged('/v1/submissions/s-123')).toBe('/v1/submissions/:submissionId');
    expect(await routeLogged('/admin/v1/routing/versions/3')).toBe('/admin/v1/routing/versions/:n');
  });

  it('keeps the full route name when the handler fails and the error leaves its router', async () => {
    expect(await routeLogged('/v1/failing/7')).toBe('/v1/failing/:id');
  });

  it('says (unmatched) for a path no route serves', async () => {
    expect(await routeLogged('/v1/nothing/here')).toBe('(unmatched)');
  });
});
