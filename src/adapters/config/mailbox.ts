import { z } from 'zod';
import { tokenHashSchema } from '../../lib/token-hash.js';

export const kind = 'mailbox';

/** Pull: the specialist software fetches its messages from the gateway with its own bearer token. */
export const mailboxAdapterConfigSchema = z.strictObject({
  kind: z.literal(kind),
  tokenHashes: z.array(tokenHashSchema).min(1),
  /** A message nobody fetches within this period is dead-lettered (FIT-Connect keeps 14 days). */
  pickupDays: z.number().int().min(1).max(90).default(14),
});

export type MailboxAdapterConfig = z.output<typeof mailboxAdapterConfigSchema>;
