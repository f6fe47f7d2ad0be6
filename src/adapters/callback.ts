import { Webhook } from 'standardwebhooks';
import { guardedAgent } from './guarded-agent.js';
import { readSecret } from '../lib/secret-ref.js';
import type { CallbackConfig } from './callback-config.js';
import { type PostReason, postSigned } from './signed-post.js';
import { type Adapter, type AdapterContext, failed, retry } from './types.js';

/** Why a status callback did not arrive: the POST's reasons, a URL the portal does not allow, or its secret. */
export type CallbackReason = PostReason | 'callback-url-not-allowed' | 'callback-secret-unavailable';

/**
 * Whether a callback URL points at a host and port the portal allowed (https, or http for an allowed
 * host). An entry without a port allows the scheme's default port only — a bare host name allowing every
 * port would let a portal probe the host's other services (issue 19 F5); `host:*` allows any port, for
 * development set-ups whose portal listens on a port chosen at start.
 */
export function callbackAllowed(url: string, settings: CallbackConfig): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (parsed.username || parsed.password) return false;
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  return settings.allowedHosts.some((entry) => {
    const [host = '', allowedPort] = entry.toLowerCase().split(':');
    return (
      host === parsed.hostname &&
      (allowedPort === '*' || (allowedPort ?? (parsed.protocol === 'https:' ? '443' : '80')) === port)
    );
  });
}

/**
 * A portal's status callback: POST `{submissionId, status, destinations, seq, at}` to the URL stored with
 * the callback, signed per Standard Webhooks with the portal's secret. The allow-list is checked again at
 * send time (it may have changed since the submission).
 */
export function createCallbackAdapter(settings: CallbackConfig, context: AdapterContext): Adapter<CallbackReason> {
  const dispatcher = guardedAgent(context.outbound, {
    connectTimeoutMs: 10_000,
    headersTimeoutMs: 15_000,
    bodyTimeoutMs: 15_000,
  });
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
      return postSigned({
        url,
        body: message.body,
        contentType: 'application/json',
        messageId: message.messageId,
        signer,
        dispatcher,
        signal,
        now: context.now,
      });
    },
    close: () => dispatcher.destroy(),
  };
}
