import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
const defaultConnectionSettings: ConnectionSettings = {
  maxConnections: 512,
  headersTimeoutSeconds: 10,
  requestTimeoutSeconds: 120,
  keepAliveTimeoutSeconds: 65,
};

/**
 * Starts `app` on host and port and resolves once it listens (rejects when the address is taken).
 * Slow clients must not hold sockets forever: headers and the whole request have deadlines, checked every
 * second rather than Node's default 30 s (else a 10 s header deadline is really up to 40 s), and
 * connections beyond the cap are refused at once. Idle keep-alive connections outlive clients' and load
 * balancers' idle timeouts, so the server is never the one to close a connection just as a client reuses
 * it (which fails that request).
 */
export async function listen(app: Express, address: ListenAddress, onDrop?: () => void): Promise<Listening> {
  return listenWith(() => app, address, onDrop);
}

type ListenAddress = { host: string; port: number } & Partial<ConnectionSettings>;

/**
 * As `listen`, for an app that names its own address in links (port 0, no public URL configured): `makeApp`
 * is called with the bound URL once the port is bound, before the first request is read.
 */
export async function listenWith(
  makeApp: (url: string) => Express,
  address: ListenAddress,
  onDrop?: () => void,
): Promise<Listening> {
  const settings = { ...defaultConnectionSettings, ...address };
  const server = createServer({
    headersTimeout: settings.headersTimeoutSeconds * 1000,
    requestTimeout: settings.requestTimeoutSeconds * 1000,
    connectionsCheckingInterval: 1000,
  });
  server.keepAliveTimeout = settings.keepAliveTimeoutSeconds * 1000;
  announceShorterKeepAlive(server, settings.keepAliveTimeoutSeconds);
  server.maxConnections = settings.maxConnections;
  if (onDrop) server.on('drop', onDrop);
  server.listen(address.port, address.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const bound = server.address() as AddressInfo;
  const url = `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  // No request is read between 'listening' and these lines: they run in the same turn of the event loop.
  try {
    server.on('request', makeApp(url));
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    server,
    url,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => {
          done();
        });
        server.closeIdleConnections();
      }),
  };
}

/**
 * What the server tells clients in `Keep-Alive: timeout=…`: ten seconds less than it keeps the connection (at least
 * one second). Clients that honour the hint (undici, which is Node's fetch) drop an idle connection a second or two
 * before the time announced; with node's own announcement (the full keepAliveTimeout) that margin is all they have,
 * and on a busy machine a late timer loses the race — the request goes out on a connection the server is closing
 * ("other side closed"). Announcing less keeps the margin at ten seconds and more.
 */
function announceShorterKeepAlive(server: Server, keepAliveSeconds: number): void {
  const announced = Math.max(1, keepAliveSeconds - 10);
  // first of the request listeners, so that the header is set before any handler can answer
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('keep-alive', `timeout=${announced}`);
  });
}
