import { z } from 'zod';
import { secretRefSchema } from '../lib/secret-ref.js';

/** Push: the sealed message is POSTed to the specialist software's endpoint. */
export const httpAdapterConfigSchema = z.strictObject({
  kind: z.literal('http'),
  url: z.url({ protocol: /^https?$/ }),
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  /** Standard Webhooks secret (`whsec_…`) the receiver uses to authenticate the gateway. */
  webhookSecret: secretRefSchema,
});
