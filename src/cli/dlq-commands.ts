import { cliActor, type CliContext } from './context.js';
import { AmtsboteError, NotFoundError } from '../lib/errors.js';
import type { Reroute } from '../delivery/reroute.js';
import type { ReplayPlanEntry } from '../operations/replay-dead-letters.js';
import { replayPlanMinutes } from '../operations/replay-plan-validity.js';
import type { StandaloneReroute } from '../gateway/escrow-reroute.js';

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

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
        const letters = await store.listDeliveries({
          state: 'dead-lettered',
          destinationId: options.destination,
          serviceKey: options.service,
          since: options.since,
          limit: Math.min(Number(options.limit) || 100, 1000),
        });
        for (const d of letters)
          print(
            `${d.id}  ${d.destinationId}  ${d.serviceKey}  ${d.regionKey}  attempts ${d.attempts}  ${d.lastError ?? ''}`,
          );
        print(`${letters.length} dead letter(s)`);
      });
    });
  dlq
    .command('replay')
    .description(
      'put dead letters back into the outbox in two steps: name them (--ids or a filter) to get a plan with an id, then execute it with --plan <id>; --reroute resolves their destination again and re-seals from the escrow copy',
    )
    .option('--note <text>', 'why (kept in the audit log); required when naming dead letters')
    .option('--ids <ids>', 'comma-separated message ids', list)
    .option('--destination <id>', 'all dead letters of this destination')
    .option('--service <key>', 'all dead letters of this service')
    .option('--since <iso>')
    .option('--reroute', 'resolve the destination again under the routing in force and re-seal')
    .option('--dry-run', 'make a plan and change nothing (what naming dead letters always does)')
    .option(
      '--plan <id>',
      `execute the plan a dry run printed, exactly as printed (within ${replayPlanMinutes} minutes, by the same user)`,
    )
    .action(
      async (options: {
        note?: string;
        ids?: string[];
        destination?: string;
        service?: string;
        since?: string;
        reroute?: boolean;
        dryRun?: boolean;
        plan?: string;
      }) => {
        const named =
          options.ids !== undefined ||
          options.destination !== undefined ||
          options.service !== undefined ||
          options.since !== undefined;
        if (options.plan !== undefined && (named || options.reroute))
          throw new AmtsboteError(
            'invalid-request',
            '--plan executes a plan as it was made: leave out --ids, the filter and --reroute',
          );
        if (options.plan === undefined && !named)
          throw new AmtsboteError(
            'invalid-request',
            'name the dead letters (--ids or a filter: --destination, --service, --since) for a plan, or execute one with --plan <id>',
          );
        if (options.plan === undefined && (options.note === undefined || options.note.trim().length < 3))
          throw new AmtsboteError('invalid-request', '--note is required: say why (kept in the audit log)');
        // The action imports what it runs (see cli.ts); the rerouting wiring only when a letter is re-sealed.
        const [{ executeReplayPlan, makeReplayPlan }, { routingSchema }] = await Promise.all([
          import('../operations/replay-dead-letters.js'),
          import('../config/routing-schema.js'),
        ]);
        await withStore(async (store, config) => {
          const current = await store.currentRouting();
          if (!current) throw new NotFoundError('the store holds no routing');
          const routing = { version: current.version, routing: routingSchema.parse(current.document) };
          // Sealing is set up only when a rerouted letter is re-sealed: a plain replay needs no keys.
          let wiring: Promise<StandaloneReroute> | undefined;
          const lazyReroute: Reroute = async (delivery, destination) => {
            wiring ??= import('../gateway/escrow-reroute.js').then(({ standaloneReroute }) =>
              standaloneReroute(config, store),
            );
            return (await wiring).reroute(delivery, destination);
          };
          const printEntries = (entries: ReplayPlanEntry[]) => {
            for (const e of entries)
              print(
                `${e.messageId}  ${e.from}${e.to && e.to !== e.from ? ` → ${e.to}` : ''}${e.skipped ? `  skipped: ${e.skipped}` : ''}`,
              );
          };
          try {
            if (options.plan !== undefined) {
              const result = await executeReplayPlan({
                store,
                routing,
                now: new Date(),
                actor: cliActor(),
                planId: options.plan,
                reroute: lazyReroute,
                note: options.note?.trim(),
              });
              printEntries(result.entries);
              print(`replayed ${result.replayed}`);
              return;
            }
            const plan = await makeReplayPlan({
              store,
              routing,
              now: new Date(),
              actor: cliActor(),
              selection: {
                ids: options.ids,
                filter: options.ids
                  ? undefined
                  : { destinationId: options.destination, serviceKey: options.service, since: options.since },
              },
              reroute: options.reroute === true,
              note: (options.note ?? '').trim(),
            });
            printEntries(plan.entries);
            print(
              `dry run: ${plan.entries.filter((e) => !e.skipped).length} would be replayed${plan.reroute ? ' (with reroute)' : ''}; nothing changed`,
            );
            print(
              `plan ${plan.planId}, valid until ${plan.expiresAt}; to execute exactly this: amtsbote dlq replay --plan ${plan.planId}`,
            );
          } finally {
            // A wiring that failed to build has nothing to free (and its error reached the caller already).
            await wiring?.then(
              (w) => {
                w.close();
              },
              () => undefined,
            );
          }
        });
      },
    );
}
