import type { Dispatcher } from 'undici';
import { retryAfterMs } from '../signed-post.js';
import { type Outcome, retry } from '../types.js';
import { send } from './http.js';
import type { FitConnectReason } from './reasons.js';

/** A token is renewed this long before it expires, so no request goes out with one about to lapse. */
const renewBeforeMs = 60_000;

export interface TokenSource {
  /** A bearer token, from the cache while it is fresh; an Outcome when the token endpoint refuses or fails. */
  get(signal: AbortSignal): Promise<string | Outcome<FitConnectReason>>;
  /** Drops the cached token (after a 401). */
  invalidate(): void;
}

/**
 * OAuth 2.0 client credentials as FIT-Connect takes them: `client_id` and `client_secret` as form fields
 * (`client_secret_post`; HTTP Basic is refused there), no scope (the client gets the scopes assigned to it).
 * The secret is read when a token is needed and never logged.
 */
export function tokenSource(options: {
  tokenUrl: string;
  clientId: string;
  secret: () => string;
  dispatcher: Dispatcher;
  now: () => Date;
}): TokenSource {
  let cached: { token: string; renewAt: number } | undefined;
  return {
    async get(signal) {
      const now = options.now().getTime();
      if (cached && now < cached.renewAt) return cached.token;
      let secret: string;
      try {
        secret = options.secret();
      } catch {
        return retry('fitconnect-client-secret-unavailable');
      }
      const response = await send(options.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: options.clientId,
          client_secret: secret,
        }).toString(),
        dispatcher: options.dispatcher,
        signal,
      });
      if (response.status === 429 || response.status >= 500) {
        const afterMs = retryAfterMs(response.headers['retry-after'], options.now());
        return retry(`fitconnect-token-http-${response.status}` as const, {
          httpStatus: response.status,
          ...(afterMs === undefined ? {} : { afterMs }),
        });
      }
      // 400/401 (invalid_client and friends): wrong credentials; an operator must fix them, the message waits.
      if (response.status !== 200) return retry('fitconnect-token-refused', { httpStatus: response.status });
      let body: { access_token?: unknown; expires_in?: unknown };
      try {
        body = JSON.parse(response.text) as typeof body;
      } catch {
        return retry('fitconnect-token-unreadable', { httpStatus: response.status });
      }
      if (typeof body.access_token !== 'string' || body.access_token === '')
        return retry('fitconnect-token-unreadable', { httpStatus: response.status });
      // FIT-Connect tokens live at most 30 minutes; without expires_in assume the least useful lifetime.
      const lifetimeMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60) * 1000;
      cached = { token: body.access_token, renewAt: now + Math.max(0, lifetimeMs - renewBeforeMs) };
      return body.access_token;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
