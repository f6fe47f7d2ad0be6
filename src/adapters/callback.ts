import { Webhook } from 'standardwebhooks';
import { guardedAgent } from './guarded-agent.js';
import { readSecret } from '../config/secret-ref.js';
import type { PortalCallback } from '../store/types.js';
import { postSigned } from './signed-post.js';
import { type Adapter, type AdapterContext, failed, retry } from './types.js';

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
 * send time (it may have changed since the submission).
 */
export function createCallbackAdapter(settings: PortalCallback, context: AdapterContext): Adapter {
  const dispatcher = guardedAgent(context.outbound, { connectTimeoutMs: 10_000, headersTimeoutMs: 15_000, bodyTimeoutMs: 15_000 });
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
      return postSigned({ url, body: message.body, contentType: 'application/json', messageId: message.messageId, signer, dispatcher, signal, now: context.now });
    },
    close: () => dispatcher.destroy(),
  };
}
