import { type AdapterDestination, type Adapter, type AdapterContext, awaitingPickup, failed } from './types.js';

export const kind = 'mailbox';

interface MailboxState {
  pickupUntil: string;
}

/**
 * Pull: the message is put into the destination's mailbox (GET /v1/mailbox/{destinationId}/messages);
 * the first fetch records the delivery. The worker comes back at the pickup deadline: a message still
 * not fetched by then is dead-lettered.
 */
export function createMailboxAdapter(destination: AdapterDestination, context: AdapterContext): Adapter {
  if (destination.adapter.kind !== 'mailbox') throw new Error('not a mailbox destination');
  const days = destination.adapter.pickupDays;
  return {
    deliver(_message, state) {
      const previous = state as MailboxState | undefined;
      if (previous?.pickupUntil) {
        return Promise.resolve(failed(`not fetched from the mailbox within ${days} days`));
      }
      const until = new Date(context.now().getTime() + days * 86_400_000);
      return Promise.resolve(awaitingPickup(until, { pickupUntil: until.toISOString() } satisfies MailboxState));
    },
  };
}
