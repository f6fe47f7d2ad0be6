import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { destinationSchema, type Destination } from '../../src/config/routing-schema.js';
import { createLogger } from '../../src/lib/logger.js';
import type { CurrentRouting } from '../../src/routing/routing-state.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { processBoundMs } from './wait.js';

export interface ReceivedRequest {
  /** The request's path and query. */
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface TestReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Decides the answer to each request; default 200. */
  respond: (req: ReceivedRequest, res: ServerResponse) => void;
  close(): Promise<void>;
}

/** A real HTTP server on a free loopback port that records what it receives. */
export async function startReceiver(): Promise<TestReceiver> {
  const received: ReceivedRequest[] = [];
  const receiver: TestReceiver = {
    url: '',
    received,
    respond: (_req, res) => {
      res.writeHead(200).end('ok');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = {
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      received.push(entry);
      receiver.respond(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

const publicKey = { kty: 'RSA', kid: 'test-enc', n: 'AQAB', e: 'AQAB' };

/** A destination for tests: fast retries and breaker unless told otherwise. */
export function testDestination(
  id: string,
  adapter: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): Destination {
  return destinationSchema.parse({
    id,
    name: `Test ${id}`,
    adapter,
    encryptionKey: { jwk: publicKey },
    receiptKey: { jwk: { ...publicKey, kid: 'test-sig' } },
    standard: { name: 'xgewerbeanzeige', version: '2.2', message: 'alg.gewerbemeldung.0300' },
    leser: { praefix: 'MELDID', kennung: '14612000', kennungListUri: 'urn:test', name: 'Test' },
    retry: { initialDelaySeconds: 0.02, maxDelaySeconds: 0.05, maxAttempts: 5 },
    breaker: { consecutiveFailures: 100, halfOpenAfterSeconds: 1 },
    ...overrides,
  });
}

export function routingOf(destinations: Destination[]): () => CurrentRouting {
  return () => ({ version: 1, routing: { destinations, rules: [] } });
}

export interface OutboxFixture {
  store: Store;
  dir: string;
  logs: () => string;
  logger: ReturnType<typeof createLogger>;
  /** Accepts a submission with one delivery per destination and a sealed body each; returns the message ids. */
  submit(
    destinationIds: string[],
    body?: string,
    authenticationTags?: { metadata: string; data: string; attachments: Record<string, string> },
  ): Promise<string[]>;
  close(): Promise<void>;
}

export async function outboxFixture(): Promise<OutboxFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-outbox-'));
  const store = openSqliteStore(join(dir, 'amtsbote.sqlite'));
  await store.migrate();
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write: (c: Buffer, _e, done) => {
        lines.push(c.toString());
        done();
      },
    }),
  });
  return {
    store,
    dir,
    logger,
    logs: () => lines.join(''),
    async submit(destinationIds, body = '{"format":"amtsbote-sealed/1"}', authenticationTags) {
      const submissionId = randomUUID();
      const receivedAt = new Date().toISOString();
      const deliveries = destinationIds.map((destinationId) => ({
        id: randomUUID(),
        destinationId,
        state: 'pending' as const,
        authenticationTags,
      }));
      await store.acceptSubmission({
        submission: {
          id: submissionId,
          portalId: 'amt24',
          serviceKey: '99050012104000',
          regionKey: '146120000000',
          status: 'pending',
          test: false,
          dataHmac: 'x',
          attachments: [],
          receivedAt,
        },
        deliveries,
        messages: deliveries.map((d) => ({ deliveryId: d.id, contentType: 'application/json', body })),
        event: { at: receivedAt, type: 'received', data: { status: 'pending' } },
      });
      return deliveries.map((d) => d.id);
    },
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls until `check` holds (bounded by count and time), for asynchronous outcomes; returns the last value either
 * way. The default bound is the generous one of every wait for a process (a busy machine slows them all).
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = processBoundMs,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  for (let i = 0; i < 10_000 && !check(value) && Date.now() < deadline; i++) {
    await new Promise((r) => setTimeout(r, 20));
    value = await probe();
  }
  return value;
}

/**
 * A scratch folder (removed after the file's tests) and an adapter context whose data dir, file-drop root
 * and config dir are that folder, at a fixed time: what adapter unit tests build on.
 */
export function scratchAdapterContext(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const context = {
    dataDir: dir,
    fileDropRoot: dir,
    configDir: dir,
    outbound: { allowLoopback: true, allowLinkLocal: false },
    now: () => new Date('2026-11-25T10:00:00Z'),
  };
  return { dir, context };
}
