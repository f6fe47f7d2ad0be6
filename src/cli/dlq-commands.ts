import { cliActor, type CliContext } from './context.js';
import { replayDeadLetters } from '../delivery/replay.js';
import { rerouteFromEscrow } from '../intake/reroute-from-escrow.js';
import { createLogger } from '../observability/logger.js';
import { routingSchema } from '../config/routing-schema.js';
import { recipientKeyResolver, startSealing } from '../seal-setup.js';
import { version } from '../version.js';
import { loadXoev } from '../xoev/index.js';

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

/** Dead letters: list and replay (a running gateway's worker picks replayed deliveries up at its next poll). */
export function registerDlqCommands({ program, print, withStore }: CliContext): void {
  const dlq = program.command('dlq').description('dead letters');
  dlq
    .command('list')
    .description('dead-lettered deliveries (no payloads)')
    .option('--destination <id>')
    .option('--service <key>')
    .option('--since <iso>')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (options: { destination?: string; service?: string; since?: string; limit: string }) => {
      await withStore(async (store) => {
        const letters = await store.listDeliveries({ state: 'dead-lettered', destinationId: options.destination, serviceKey: options.service, since: options.since, limit: Math.min(Number(options.limit) || 100, 1000) });
        for (const d of letters) print(`${d.id}  ${d.destinationId}  ${d.serviceKey}  ${d.regionKey}  attempts ${d.attempts}  ${d.lastError ?? ''}`);
        print(`${letters.length} dead letter(s)`);
      });
    });
  dlq
    .command('replay')
    .description('put dead letters back into the outbox; --reroute resolves their destination again and re-seals from the escrow copy')
    .requiredOption('--note <text>', 'why (kept in the audit log)')
    .option('--ids <ids>', 'comma-separated message ids', list)
    .option('--destination <id>', 'all dead letters of this destination')
    .option('--service <key>', 'all dead letters of this service')
    .option('--since <iso>')
    .option('--reroute', 'resolve the destination again under the routing in force and re-seal')
    .option('--dry-run', 'show what would be replayed; change nothing')
    .action(async (options: { note: string; ids?: string[]; destination?: string; service?: string; since?: string; reroute?: boolean; dryRun?: boolean }) => {
      if (!options.ids && !options.destination && !options.service && !options.since) throw new Error('name the dead letters: --ids or a filter (--destination, --service, --since)');
      await withStore(async (store, config) => {
        const current = await store.currentRouting();
        if (!current) throw new Error('the store holds no routing');
        let reroute;
        let xoev;
        if (options.reroute) {
          xoev = loadXoev(config.paths);
          const logger = createLogger({ level: 'warn' });
          const sealing = await startSealing(config, store, await recipientKeyResolver(config, logger), logger, () => new Date());
          sealing.stop();
          reroute = rerouteFromEscrow({ store, sealing, clock: () => new Date(), config, xoev, productVersion: version });
        }
        try {
          const result = await replayDeadLetters({
            store,
            routing: { version: current.version, routing: routingSchema.parse(current.document) },
            now: new Date(),
            actor: cliActor(),
            ids: options.ids,
            filter: options.ids ? undefined : { destinationId: options.destination, serviceKey: options.service, since: options.since },
            dryRun: options.dryRun === true,
            reroute,
            note: options.note,
          });
          for (const e of result.entries) print(`${e.messageId}  ${e.from}${e.to && e.to !== e.from ? ` → ${e.to}` : ''}${e.skipped ? `  skipped: ${e.skipped}` : ''}`);
          print(result.dryRun ? `dry run: ${result.entries.filter((e) => !e.skipped).length} would be replayed` : `replayed ${result.replayed}`);
        } finally {
          xoev?.close();
        }
      });
    });
}
