import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import getRawBody from 'raw-body';
import { Webhook } from 'standardwebhooks';
import type { LoadedConfig } from '../config/load.js';
import { readSecret, type SecretRef } from '../lib/secret-ref.js';
import type { Logger } from '../lib/logger.js';

export interface DemoReceivers {
  /** Where each started receiver listens, by destination id. */
  urls: Record<string, string>;
  close(): Promise<void>;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);
// A sealed container carries every attachment base64-encoded inside JWEs: a third more than the request.
const bodyLimitFactor = 1.5;
const messageIdPattern = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The demo's stand-in for specialist software that takes pushed messages: for every `http` destination of
 * the routing whose URL points at this machine, a tiny HTTP server on that address which checks the Standard
 * Webhooks signature with the destination's secret, keeps the sealed message as it came
 * (`<data dir>/demo-receiver/<destination>/<message id>.json`, still encrypted) and answers 200. Only
 * `amtsbote serve` on the embedded demo configuration starts it, so that every demo destination is served
 * by something `npm start` brings up; a production configuration never gets one.
 */
export async function startDemoReceivers(config: LoadedConfig, logger: Logger): Promise<DemoReceivers> {
  const servers: Server[] = [];
  const urls: Record<string, string> = {};
  for (const destination of config.routing.destinations) {
    const adapter = destination.adapter;
    if (adapter.kind !== 'http') continue;
    const url = new URL(adapter.url);
    if (url.protocol !== 'http:' || !loopbackHosts.has(url.hostname)) continue;
    const directory = join(config.dataDir, 'demo-receiver', destination.id);
    const server = createServer((req, res) => {
      handle(req, res, {
        destinationId: destination.id,
        webhookSecret: adapter.webhookSecret,
        path: url.pathname,
        directory,
        config,
        logger,
      }).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    const port = Number(url.port || 80);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      // Something else answers there (a real receiver, a second demo): the gateway runs on without it.
      logger.warn(
        {
          destinationId: destination.id,
          address: `${host}:${port}`,
          errorClass: (error as NodeJS.ErrnoException).code ?? (error as Error).name,
        },
        "demo receiver not started: its address is taken; the destination's deliveries are retried until something answers there",
      );
      continue;
    }
    const address = server.address() as AddressInfo;
    urls[destination.id] = `http://${url.hostname}:${address.port}${url.pathname}`;
    servers.push(server);
    logger.warn(
      { destinationId: destination.id, receiverUrl: urls[destination.id], directory },
      "demo receiver listening (embedded demo configuration only): it stands in for the destination's specialist software and keeps the sealed messages it receives",
    );
  }
  return {
    urls,
    close: () =>
      Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => {
                resolve();
              });
            }),
        ),
      ).then(() => undefined),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  deps: {
    destinationId: string;
    webhookSecret: SecretRef;
    path: string;
    directory: string;
    config: LoadedConfig;
    logger: Logger;
  },
): Promise<void> {
  const { config, logger } = deps;
  const answer = (status: number, body: Record<string, unknown>) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  if (new URL(req.url ?? '/', 'http://demo').pathname !== deps.path) {
    answer(404, { error: 'not-found' });
    return;
  }
  if (req.method !== 'POST') {
    answer(405, { error: 'method-not-allowed' });
    return;
  }
  let body: string;
  try {
    body = await getRawBody(req, {
      limit: Math.ceil(config.gateway.limits.maxBodyBytes * bodyLimitFactor),
      encoding: 'utf8',
    });
  } catch {
    answer(413, { error: 'body-unreadable-or-too-large' });
    return;
  }
  const headers = {
    'webhook-id': header(req, 'webhook-id'),
    'webhook-timestamp': header(req, 'webhook-timestamp'),
    'webhook-signature': header(req, 'webhook-signature'),
  };
  try {
    new Webhook(readSecret(deps.webhookSecret, config.configDir)).verify(body, headers);
  } catch {
    // As a real receiver must: a message without a valid signature of the gateway is not taken.
    answer(401, { error: 'invalid-signature' });
    return;
  }
  const messageId = header(req, 'amtsbote-message-id');
  if (!messageIdPattern.test(messageId)) {
    answer(400, { error: 'missing-message-id' });
    return;
  }
  mkdirSync(deps.directory, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(join(deps.directory, `${messageId}.json`), body, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    // Delivery is at least once: the same message again is acknowledged, and the first copy kept.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  logger.info({ destinationId: deps.destinationId, messageId }, 'demo receiver took a message');
  answer(200, { received: messageId });
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}
