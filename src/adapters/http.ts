import { Webhook } from 'standardwebhooks';
import { Agent, errors, request } from 'undici';
import type { Destination } from '../config/routing-schema.js';
import { readSecret } from '../config/secret-ref.js';
import { type Adapter, type AdapterContext, delivered, failed, retry } from './types.js';

export const kind = 'http';

/** How much of a receiver's answer is read: enough to be polite to the connection, never a flood. */
const maxResponseBytes = 64 * 1024;

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now: Date): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * Push: POST the sealed message to the destination's endpoint, with the message id and Standard Webhooks
 * signature headers made with the destination's own secret, so the receiver can authenticate the gateway.
 * No redirects are followed (undici's request does not, and a 3xx counts as refusal); 2xx is delivered; 408, 429 and 5xx are retried (honouring Retry-After);
 * any other 4xx means the receiver will never take it.
 */
export function createHttpAdapter(destination: Destination, context: AdapterContext): Adapter {
  const config = destination.adapter;
  if (config.kind !== 'http') throw new Error('not an http destination');
  const dispatcher = new Agent({ connect: { timeout: Math.min(config.timeoutMs, 10_000) }, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs });
  let signer: Webhook | undefined;
  return {
    async deliver(message, _state, signal) {
      try {
        signer ??= new Webhook(readSecret(config.webhookSecret, context.configDir));
      } catch {
        // The secret reference does not resolve: an operator has to fix the configuration.
        return retry('webhook-secret-unavailable');
      }
      const timestamp = context.now();
      const headers = {
        'content-type': message.contentType,
        'user-agent': 'Amtsbote',
        'amtsbote-message-id': message.messageId,
        'webhook-id': message.messageId,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signer.sign(message.messageId, timestamp, message.body),
      };
      try {
        const response = await request(config.url, { method: 'POST', headers, body: message.body, dispatcher, signal });
        const status = response.statusCode;
        // Read (and drop) at most maxResponseBytes of the answer; dump() ends the body without an 'error' event.
        await response.body.dump({ limit: maxResponseBytes });
        if (status >= 200 && status < 300) return delivered({ httpStatus: status });
        if (status === 408 || status === 429 || status >= 500) {
          const afterMs = retryAfterMs(response.headers['retry-after'], context.now());
          return retry(`http-${status}`, { httpStatus: status, ...(afterMs === undefined ? {} : { afterMs }) });
        }
        return failed(`http-${status}`, status);
      } catch (error) {
        if (error instanceof errors.UndiciError) return retry(error.code);
        return retry((error as Error).name === 'AbortError' ? 'timeout' : 'network-error');
      }
    },
    // Called once no attempt is in flight: idle keep-alive sockets need not linger until the peer closes them.
    close: () => dispatcher.destroy(),
  };
}
