import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Express } from 'express';

export interface Listening {
  server: Server;
  /** `http://host:port` of the bound address (the port the system chose for port 0). */
  url: string;
  /** Stops accepting connections and closes idle ones; resolves when the last request is answered. */
  close: () => Promise<void>;
}

/** Starts `app` on host and port and resolves once it listens (rejects when the address is taken). */
export async function listen(app: Express, address: { host: string; port: number }): Promise<Listening> {
  const server = app.listen(address.port, address.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const bound = server.address() as AddressInfo;
  return {
    server,
    url: `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => { done(); });
        server.closeIdleConnections();
      }),
  };
}

/** How long an idle connection is kept open (longer than load balancers' usual 60 s, so they close first). */
const keepAliveMs = 65_000;
/**
 * What the server tells clients in `Keep-Alive: timeout=…`: ten seconds less than it keeps the connection. Clients
 * that honour the hint (undici, which is Node's fetch) drop an idle connection a second or two before the time
 * announced; with node's own announcement (the full keepAliveTimeout) that margin is all they have, and on a busy
 * machine a late timer loses the race — the request goes out on a connection the server is closing ("other side
 * closed"). Announcing less keeps the margin at ten seconds and more.
 */
const announcedKeepAliveSeconds = keepAliveMs / 1000 - 10;

/**
 * The gateway's servers' timeouts: slow clients must not hold sockets forever, yet a 25 MB upload still fits
 * comfortably; idle connections outlive clients' and load balancers' idle timeouts, so the server is never the one
 * to close a connection just as a client reuses it (which fails that request).
 */
export function applyServerTimeouts(server: Server): void {
  server.requestTimeout = 120_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = keepAliveMs;
  // first of the request listeners, so that the header is set before any handler can answer
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('keep-alive', `timeout=${announcedKeepAliveSeconds}`);
  });
}
