import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { readSecret } from '../config/secret-ref.js';
import type { PortalCallback } from '../store/types.js';
import { retryAfterMs } from './http.js';
import { type Adapter, type AdapterContext, delivered, failed, retry } from './types.js';

/** Whether a callback URL points at a host the portal allowed (https, or http for an allowed host). */
export function callbackAllowed(url: string, settings: PortalCallback): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (parsed.username || parsed.password) return false;
  return settings.allowedHosts.includes(parsed.host) || settings.allowedHosts.includes(parsed.hostname);
}

/**
 * A portal's status callback: POST `{submissionId, status, destinations, seq, at}` to the URL stored with
 * the callback, signed per Standard Webhooks with the portal's secret. The allow-list is checked again at
 * send time (it may have changed since the submission); no redirects; bodies of answers are not read.
 */
export function createCallbackAdapter(settings: PortalCallback, context: AdapterContext): Adapter {
  const dispatcher = new Agent({ connect: { timeout: 10_000 }, headersTimeout: 15_000, bodyTimeout: 15_000 });
  let signer: Webhook | undefined;
  return {
    async deliver(message, state, signal) {
      const url = (state as { url?: string } | undefined)?.url;
      if (!url || !callbackAllowed(url, settings)) return failed('callback-url-not-allowed');
      try {
        signer ??= new Webhook(readSecret(settings.secret, context.configDir));
      } catch {
        return retry('callback-secret-unavailable');
      }
      const timestamp = context.now();
      try {
        const response = await request(url, {
          method: 'POST',
          dispatcher,
          signal,
          body: message.body,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Amtsbote',
            'webhook-id': message.messageId,
            'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
            'webhook-signature': signer.sign(message.messageId, timestamp, message.body),
          },
        });
        // dump() discards the answer without the 'error' event a bare destroy() would emit
        await response.body.dump({ limit: 64 * 1024 });
        const status = response.statusCode;
        if (status >= 200 && status < 300) return delivered({ httpStatus: status });
        if (status === 408 || status === 429 || status >= 500) {
          const afterMs = retryAfterMs(response.headers['retry-after'], context.now());
          return retry(`http-${status}`, { httpStatus: status, ...(afterMs === undefined ? {} : { afterMs }) });
        }
        return failed(`http-${status}`, status);
      } catch (error) {
        return retry((error as Error).name === 'AbortError' ? 'timeout' : `callback-network-error`);
      }
    },
    close: () => dispatcher.destroy(),
  };
}
