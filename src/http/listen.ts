import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
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

/**
 * The portal-facing server's timeouts: slow clients must not hold sockets forever, yet a 25 MB upload
 * still fits comfortably; idle connections outlive clients' and load balancers' idle timeouts, so the
 * server is never the one to close a connection just as a client reuses it (which fails that request).
 */
export function applyServerTimeouts(server: Server): void {
  server.requestTimeout = 120_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 65_000;
}
