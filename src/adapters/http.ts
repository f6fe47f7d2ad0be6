import { Webhook } from 'standardwebhooks';
import { guardedAgent } from './guarded-agent.js';
import { readSecret } from '../lib/secret-ref.js';
import { type PostReason, postSigned } from './signed-post.js';
import { type Adapter, type AdapterContext, retry } from './types.js';

// The config schema lives apart from the runtime, so loading the configuration loads no adapter code.
import { kind, httpAdapterConfigSchema, type HttpAdapterConfig } from './config/http.js';
export { kind, httpAdapterConfigSchema, type HttpAdapterConfig };
export { retryAfterMs } from './signed-post.js';

/** Why a push did not deliver: the POST's reasons, or a secret reference that does not resolve. */
export type HttpReason = PostReason | 'webhook-secret-unavailable';

/**
 * Push: POST the sealed message to the destination's endpoint, with the message id and Standard Webhooks
 * signature headers made with the destination's own secret, so the receiver can authenticate the gateway.
 */
export function createHttpAdapter(config: HttpAdapterConfig, context: AdapterContext): Adapter<HttpReason> {
  const dispatcher = guardedAgent(context.outbound, {
    connectTimeoutMs: Math.min(config.timeoutMs, 10_000),
    headersTimeoutMs: config.timeoutMs,
    bodyTimeoutMs: config.timeoutMs,
  });
  let signer: Webhook | undefined;
  return {
    async deliver(message, _state, signal) {
      try {
        signer ??= new Webhook(readSecret(config.webhookSecret, context.configDir));
      } catch {
        // The secret reference does not resolve: an operator has to fix the configuration.
        return retry('webhook-secret-unavailable');
      }
      return postSigned({
        url: config.url,
        body: message.body,
        contentType: message.contentType,
        messageId: message.messageId,
        signer,
        dispatcher,
        signal,
        now: context.now,
        headers: { 'amtsbote-message-id': message.messageId },
      });
    },
    // Called once no attempt is in flight: idle keep-alive sockets need not linger until the peer closes them.
    close: () => dispatcher.destroy(),
  };
}
