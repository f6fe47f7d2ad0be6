import type { Command } from 'commander';
import { cliActor, type CliContext } from './context.js';

/** `store purge`: deletes what the retention periods say has expired — or, with `--dry-run`, counts it. */
export function registerStorePurgeCommand(storeCommand: Command, { print, withStore }: CliContext): void {
  storeCommand
    .command('purge')
    .description(
      'delete sealed messages, escrow copies, idempotency keys, event logs and audit records whose retention period is over',
    )
    .option('--dry-run', 'only count what would be deleted')
    .action(async (options: { dryRun?: boolean }) => {
      // The action imports what it runs (see cli.ts).
      const { retentionPlan } = await import('../delivery/retention-plan.js');
      await withStore(async (store, loaded) => {
        const now = new Date();
        const dryRun = options.dryRun === true;
        const counts = await store.purgeExpired(retentionPlan(loaded.gateway.retention, now), dryRun);
        if (!dryRun && Object.values(counts).some((n) => n > 0)) {
          await store.appendAudit({
            at: now.toISOString(),
            actor: cliActor(),
            action: 'retention.purge',
            detail: { ...counts },
          });
        }
        print(dryRun ? 'would delete (dry run, nothing deleted):' : 'deleted:');
        for (const [what, n] of Object.entries(counts)) print(`  ${what.padEnd(16)} ${String(n)}`);
      });
    });
}
