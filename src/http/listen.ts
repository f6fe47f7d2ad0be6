import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface Listening {
  server: Server;
  /** `http://host:port` of the bound address (the port the system chose for port 0). */
  url: string;
  /** Stops accepting connections and closes idle ones; resolves when the last request is answered. */
  close: () => Promise<void>;
}

/** What a public port needs to stay up against slow or many clients (gateway.yaml `listen`). */
export interface ConnectionSettings {
  maxConnections: number;
  headersTimeoutSeconds: number;
  requestTimeoutSeconds: number;
  keepAliveTimeoutSeconds: number;
}

/** The schema's defaults, for servers (the metrics address) that have no settings of their own. */
const defaultConnectionSettings: ConnectionSettings = { maxConnections: 512, headersTimeoutSeconds: 10, requestTimeoutSeconds: 120, keepAliveTimeoutSeconds: 65 };

/**
 * Starts `app` on host and port and resolves once it listens (rejects when the address is taken).
 * Slow clients must not hold sockets forever: headers and the whole request have deadlines, checked every
 * second rather than Node's default 30 s (else a 10 s header deadline is really up to 40 s), and
 * connections beyond the cap are refused at once. Idle keep-alive connections outlive clients' and load
 * balancers' idle timeouts, so the server is never the one to close a connection just as a client reuses
 * it (which fails that request).
 */
export async function listen(app: Express, address: { host: string; port: number } & Partial<ConnectionSettings>, onDrop?: () => void): Promise<Listening> {
  const settings = { ...defaultConnectionSettings, ...address };
  const server = createServer(
    { headersTimeout: settings.headersTimeoutSeconds * 1000, requestTimeout: settings.requestTimeoutSeconds * 1000, connectionsCheckingInterval: 1000 },
    app,
  );
  server.keepAliveTimeout = settings.keepAliveTimeoutSeconds * 1000;
  server.maxConnections = settings.maxConnections;
  if (onDrop) server.on('drop', onDrop);
  server.listen(address.port, address.host);
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
