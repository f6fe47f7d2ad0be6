import { z } from 'zod';
import { secretRefSchema } from '../../lib/secret-ref.js';

export const kind = 'http';

/** Push: the sealed message is POSTed to the specialist software's endpoint. */
export const httpAdapterConfigSchema = z.strictObject({
  kind: z.literal(kind),
  url: z.url({ protocol: /^https?$/ }),
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  /** Standard Webhooks secret (`whsec_…`) the receiver uses to authenticate the gateway. */
  webhookSecret: secretRefSchema,
  /**
   * Where the portal's confirmations of this destination's replies are POSTed (`reply.confirmed`, issue 24),
   * signed like messages. A URL of its own, not `url`: a receiver of sealed messages there would take a status
   * for a message. Absent: no push, the destination polls `GET /v1/replies/{replyId}`.
   */
  replyStatusUrl: z.url({ protocol: /^https?$/ }).optional(),
});

export type HttpAdapterConfig = z.output<typeof httpAdapterConfigSchema>;
