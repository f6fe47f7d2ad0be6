import { type Adapter, type AdapterContext, awaitingPickup, failed } from './types.js';

// The config schema lives apart from the runtime, so loading the configuration loads no adapter code.
import { kind, mailboxAdapterConfigSchema, type MailboxAdapterConfig } from './config/mailbox.js';
export { kind, mailboxAdapterConfigSchema, type MailboxAdapterConfig };

/** The one way a mailbox delivery fails; worded for the admin page, which shows it as the delivery's error. */
export type MailboxReason = `not fetched from the mailbox within ${number} days`;

interface MailboxState {
  pickupUntil: string;
}

/**
 * Pull: the message is put into the destination's mailbox (GET /v1/mailbox/{destinationId}/messages);
 * the first fetch records the delivery. The worker comes back at the pickup deadline: a message still
 * not fetched by then is dead-lettered.
 */
export function createMailboxAdapter(config: MailboxAdapterConfig, context: AdapterContext): Adapter<MailboxReason> {
  const days = config.pickupDays;
  return {
    deliver(_message, state) {
      const previous = state as MailboxState | undefined;
      if (previous?.pickupUntil) {
        return Promise.resolve(failed(`not fetched from the mailbox within ${days} days` as const));
      }
      const until = new Date(context.now().getTime() + days * 86_400_000);
      return Promise.resolve(awaitingPickup(until, { pickupUntil: until.toISOString() } satisfies MailboxState));
    },
  };
}
