import type { CliContext } from './context.js';
import { NotFoundError, ConflictError } from '../lib/errors.js';

/** The event log of a submission: hash chain and the receipts' signatures. */
export function registerEventsCommands({ program, print, withStore }: CliContext): void {
  program
    .command('events')
    .description("a submission's event log")
    .command('verify <submissionId>')
    .description('check the hash chain of the event log and the signature of every receipt in it')
    .action(async (submissionId: string) => {
      // The action imports what it runs (see cli.ts).
      const {
        verifyChain,
        routingSchema,
        peekReceipt,
        verifySet,
        fitConnectDirectories,
        recipientKeyResolver,
        receiptSigner,
      } = await import('./events-verify-parts.js');
      await withStore(async (store, config) => {
        const events = await store.listEvents(submissionId);
        if (events.length === 0) throw new NotFoundError(`no events for submission ${submissionId}`);
        const chain = verifyChain(submissionId, events);
        if (!chain.ok) throw new ConflictError(`event ${chain.seq} ${chain.problem}: the log was altered`);
        const current = await store.currentRouting();
        const routing = routingSchema.parse(current?.document ?? config.routing);
        // A FIT-Connect destination's keys are read from its delivery service, as the gateway reads them.
        const directories = fitConnectDirectories({
          outbound: config.gateway.outbound,
          configDir: config.configDir,
          now,
        });
        const resolver = await recipientKeyResolver(config, undefined, { directories, now });
        let receipts = 0;
        try {
          for (const e of events) {
            const compact = e.data.receipt;
            if (typeof compact !== 'string') continue;
            const { iss, kid } = peekReceipt(compact);
            const destination = routing.destinations.find((d) => d.id === e.data.destinationId);
            if (!destination)
              throw new NotFoundError(
                `event ${e.seq}: receipt for ${String(e.data.destinationId)}, which is no destination any more`,
              );
            const signer = receiptSigner(destination, iss);
            const key = await resolver.receiptKey(signer.source, kid);
            // The signature is what is checked here; its time window was checked when it arrived.
            await verifySet(compact, key.key, {
              now: new Date(e.at),
              maxAgeSeconds: 90 * 86_400,
              futureSkewSeconds: 300,
              // as when it arrived: only the delivery service's own entries may omit `$schema`
              schemaOptional: signer.deliveryService,
            });
            receipts++;
          }
        } finally {
          await directories.close();
        }
        print(
          `event log of ${submissionId}: ${events.length} events, chain intact, ${receipts} receipt signature(s) valid`,
        );
      });
    });
}

const now = () => new Date();
