import type { CliContext } from './context.js';
import { routingSchema } from '../config/routing-schema.js';
import { peekReceipt, verifySet } from '../seal/receipt/verify-set.js';
import type { Destination } from '../config/routing-schema.js';
import type { KeySource } from '../seal/index.js';
import { deliveryServiceJwksUrl } from '../adapters/fitconnect/config.js';
import { recipientKeyResolver } from '../gateway/seal-setup.js';
import { verifyChain } from '../store/verify-chain.js';
import { NotFoundError, ConflictError } from '../lib/errors.js';

/** The event log of a submission: hash chain and the receipts' signatures. */
export function registerEventsCommands({ program, print, withStore }: CliContext): void {
  program
    .command('events')
    .description("a submission's event log")
    .command('verify <submissionId>')
    .description('check the hash chain of the event log and the signature of every receipt in it')
    .action(async (submissionId: string) => {
      await withStore(async (store, config) => {
        const events = await store.listEvents(submissionId);
        if (events.length === 0) throw new NotFoundError(`no events for submission ${submissionId}`);
        const chain = verifyChain(submissionId, events);
        if (!chain.ok) throw new ConflictError(`event ${chain.seq} ${chain.problem}: the log was altered`);
        const current = await store.currentRouting();
        const routing = routingSchema.parse(current?.document ?? config.routing);
        const resolver = await recipientKeyResolver(config);
        let receipts = 0;
        for (const e of events) {
          const compact = e.data.receipt;
          if (typeof compact !== 'string') continue;
          const { iss, kid } = peekReceipt(compact);
          const destination = routing.destinations.find((d) => d.id === e.data.destinationId);
          if (!destination)
            throw new NotFoundError(
              `event ${e.seq}: receipt for ${String(e.data.destinationId)}, which is no destination any more`,
            );
          const source = receiptKeySource(destination, iss);
          const key = await resolver.receiptKey(source, kid);
          // The signature is what is checked here; its time window was checked when it arrived.
          await verifySet(compact, key.key, {
            now: new Date(e.at),
            maxAgeSeconds: 90 * 86_400,
            futureSkewSeconds: 300,
            // as when it arrived: only the delivery service's own entries may omit `$schema`
            schemaOptional: source !== destination.receiptKey,
          });
          receipts++;
        }
        print(
          `event log of ${submissionId}: ${events.length} events, chain intact, ${receipts} receipt signature(s) valid`,
        );
      });
    });
}

/**
 * Who signed a receipt: the destination (its receipt key) — or, for a FIT-Connect destination, the
 * delivery service itself when `iss` is not the destination's FIT-Connect id (its own reject).
 */
function receiptKeySource(destination: Destination, iss: string): KeySource {
  const adapter = destination.adapter;
  if (adapter.kind !== 'fitconnect' || iss === adapter.destinationId) return destination.receiptKey;
  return { jwksUrl: deliveryServiceJwksUrl(adapter) };
}
