import { z } from 'zod';
import { secretRefSchema } from '../lib/secret-ref.js';

/** A portal's status callbacks: signed with `secret` (Standard Webhooks), sent only to `allowedHosts`. */
export const callbackConfigSchema = z.strictObject({
  /** Standard Webhooks secret, as a reference (`env:` / `file:`). */
  secret: secretRefSchema,
  /** `host` (the scheme's default port only), `host:port`, or `host:*` (any port; development). */
  allowedHosts: z
    .array(z.string().regex(/^[A-Za-z0-9.-]+(:([0-9]{1,5}|\*))?$/, 'must be a host name, optionally with :port or :*'))
    .min(1),
  /** Used when a submission names no callbackUrl. */
  defaultUrl: z.url({ protocol: /^https?$/ }).optional(),
});

export type CallbackConfig = z.infer<typeof callbackConfigSchema>;
