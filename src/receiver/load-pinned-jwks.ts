import { readFileSync } from 'node:fs';
import type { JsonWebKeySet } from './pinned-jwks.js';
import { ReceiverError } from './errors.js';

/**
 * Reads the gateway JWKS the receiver pinned: a file, or the gateway's `/.well-known/jwks.json` URL
 * from the receiver's own configuration (fetched over HTTPS in production). Never a key from a message.
 */
export async function loadPinnedJwks(source: string, options: { timeoutMs?: number } = {}): Promise<JsonWebKeySet> {
  let text: string;
  if (/^https?:\/\//i.test(source)) {
    const response = await fetch(source, {
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) throw new ReceiverError('jwks-unreachable', `GET ${source} answered ${response.status}`);
    text = await response.text();
  } else {
    text = readFileSync(source, 'utf8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ReceiverError('jwks-malformed', `the gateway JWKS from ${source} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw new ReceiverError('jwks-malformed', `the gateway JWKS from ${source} has no "keys" array`);
  }
  return value as JsonWebKeySet;
}
