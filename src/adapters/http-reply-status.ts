import { Webhook } from 'standardwebhooks';
import { guardedAgent } from './guarded-agent.js';
import { readSecret } from '../lib/secret-ref.js';
import type { HttpAdapterConfig, HttpReason } from './http.js';
import { postSigned } from './signed-post.js';
import { type Adapter, type AdapterContext, failed, retry } from './types.js';

/** Why a reply status did not arrive: the push adapter's reasons, or a destination without `replyStatusUrl`. */
export type ReplyStatusReason = HttpReason | 'no-reply-status-url';

/**
 * The portal's confirmation of a reply, pushed to a destination with the http adapter: POST the outbox's JSON
 * body to the destination's `replyStatusUrl`, signed per Standard Webhooks with the destination's own webhook
 * secret (`webhook-id` = the outbox delivery's id, the same on every retry), so the receiver can authenticate
 * the gateway and drop a repeat.
 */
export function createHttpReplyStatusAdapter(
  config: HttpAdapterConfig,
  context: AdapterContext,
): Adapter<ReplyStatusReason> {
  const dispatcher = guardedAgent(context.outbound, {
    connectTimeoutMs: Math.min(config.timeoutMs, 10_000),
    headersTimeoutMs: config.timeoutMs,
    bodyTimeoutMs: config.timeoutMs,
  });
  let signer: Webhook | undefined;
  return {
    async deliver(message, _state, signal) {
      // The setting may have been removed since the confirmation was queued: nowhere to send it any more.
      if (!config.replyStatusUrl) return failed('no-reply-status-url');
      try {
        signer ??= new Webhook(readSecret(config.webhookSecret, context.configDir));
      } catch {
        return retry('webhook-secret-unavailable');
      }
      return postSigned({
        url: config.replyStatusUrl,
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
