import { request, type Dispatcher } from 'undici';
import { AmtsboteError } from '../../lib/errors.js';

export interface FetchJwksOptions {
  /** undici dispatcher (an Agent with TLS options, a ProxyAgent, or a MockAgent in tests). */
  dispatcher?: Dispatcher | undefined;
  timeoutMs?: number | undefined;
  maxBytes?: number | undefined;
}

export interface FetchedJwks {
  keys: Record<string, unknown>[];
}

/** GET a JWK Set: 200 only, no redirects, size-limited, JSON with a `keys` array. */
export async function fetchJwks(url: string, options: FetchJwksOptions = {}): Promise<FetchedJwks> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const fail = (detail: string) =>
    new AmtsboteError('unavailable', `the JWKS at ${url} ${detail}`, [], { reason: 'jwks-unavailable', url });
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/jwk-set+json, application/json' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
  } catch (error) {
    throw fail(`cannot be fetched: ${(error as Error).message}`);
  }
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw fail(`answered HTTP ${response.statusCode}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > maxBytes) {
        response.body.destroy();
        throw fail(`is larger than ${maxBytes} bytes`);
      }
      chunks.push(buf);
    }
  } catch (error) {
    if (error instanceof AmtsboteError) throw error;
    throw fail(`could not be read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw fail('is not JSON');
  }
  if (value === null || typeof value !== 'object' || !Array.isArray((value as { keys?: unknown }).keys))
    throw fail('has no "keys" array');
  const keys = (value as { keys: unknown[] }).keys.filter(
    (k): k is Record<string, unknown> => k !== null && typeof k === 'object' && !Array.isArray(k),
  );
  return { keys };
}
