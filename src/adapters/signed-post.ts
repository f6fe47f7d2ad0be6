import type { Webhook } from 'standardwebhooks';
import { type Dispatcher, errors, request } from 'undici';
import { OutboundAddressRefused } from './guarded-agent.js';
import { type Outcome, type UndiciCode, delivered, failed, isUndiciCode, retry } from './types.js';

/**
 * Why a signed POST did not deliver: the receiver's status (`http-503`), undici's code for a connection
 * that failed, a timeout, a network error without a code, or an address the outbound policy refuses.
 */
export type PostReason = `http-${number}` | UndiciCode | 'timeout' | 'network-error' | 'outbound-address-refused';

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
 * One POST signed per Standard Webhooks (`webhook-id` = the message id), as the push adapter and portal
 * callbacks both send. No redirects are followed (undici's request does not; a 3xx counts as refusal);
 * 2xx is delivered; 408, 429 and 5xx are retried, honouring Retry-After; any other status means the
 * receiver will never take it.
 */
export async function postSigned(input: {
  url: string;
  body: string;
  contentType: string;
  messageId: string;
  signer: Webhook;
  dispatcher: Dispatcher;
  signal: AbortSignal;
  now: () => Date;
  headers?: Record<string, string>;
}): Promise<Outcome<PostReason>> {
  const timestamp = input.now();
  try {
    const response = await request(input.url, {
      method: 'POST',
      dispatcher: input.dispatcher,
      signal: input.signal,
      body: input.body,
      headers: {
        'content-type': input.contentType,
        'user-agent': 'Amtsbote',
        ...input.headers,
        'webhook-id': input.messageId,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': input.signer.sign(input.messageId, timestamp, input.body),
      },
    });
    const status = response.statusCode;
    // Read (and drop) at most maxResponseBytes; dump() ends the body without the 'error' event a bare destroy() emits.
    await response.body.dump({ limit: maxResponseBytes });
    if (status >= 200 && status < 300) return delivered({ httpStatus: status });
    if (status === 408 || status === 429 || status >= 500) {
      const afterMs = retryAfterMs(response.headers['retry-after'], input.now());
      return retry(`http-${status}` as const, { httpStatus: status, ...(afterMs === undefined ? {} : { afterMs }) });
    }
    return failed(`http-${status}` as const, status);
  } catch (error) {
    // The outbound policy refused the address: no retry will change that, an operator must (then replay).
    if (error instanceof OutboundAddressRefused) return failed('outbound-address-refused');
    if (error instanceof errors.UndiciError && isUndiciCode(error.code)) return retry(error.code);
    return retry((error as Error).name === 'AbortError' ? 'timeout' : 'network-error');
  }
}
