import { registerStorePurgeCommand } from './store-purge-command.js';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { copyStore } from '../store/copy-store.js';
import { migrationContext, type CliContext } from './context.js';

/** Store operations: migrations, backup, moving to another store, retention, reading a stored message. */
export function registerStoreCommands(context: CliContext): void {
  const { program, print, withStore } = context;
  const storeCommand = program.command('store').description('the store');
  registerStorePurgeCommand(storeCommand, context);
  storeCommand
    .command('migrate')
    .description('apply the migrations the store lacks (the gateway does so on start as well)')
    .option('--dead-letter-unsealed', 'record deliveries accepted by a release before sealing as dead letters (accepted-before-sealing): no release can deliver them')
    .action(async (options: { deadLetterUnsealed?: boolean }) => {
      await withStore(async (store, loaded) => {
        const applied = await store.migrate(migrationContext(loaded));
        print(`the ${store.kind} store is at the latest schema${applied.length > 0 ? `; applied ${applied.join(', ')}` : ' (nothing to apply)'}`);
        const unsealed = options.deadLetterUnsealed ? await store.deadLetterUnsealed(new Date().toISOString()) : await store.countUnsealedDeliveries();
        if (options.deadLetterUnsealed) print(`recorded ${unsealed} deliveries accepted before sealing as dead letters (accepted-before-sealing); their portals must submit again`);
        else if (unsealed > 0) print(`the store holds ${unsealed} deliveries accepted by a release before sealing, which no release can deliver; the gateway refuses to start until "amtsbote store migrate --dead-letter-unsealed" records them as dead letters`);
      }, { migrate: false });
    });
  storeCommand
    .command('backup <file>')
    .description('a consistent copy of a SQLite store while the gateway runs (PostgreSQL: use pg_dump)')
    .action(async (file: string) => {
      await withStore(async (store) => {
        await store.backup(resolve(file));
        print(`wrote a backup of the ${store.kind} store to ${resolve(file)}`);
      });
    });
  storeCommand
    .command('copy')
    .description('copy a whole store into an empty one, pending deliveries included (stop the gateway first)')
    .requiredOption('--from <store>', 'sqlite:<path> or postgres://…')
    .requiredOption('--to <store>', 'postgres://… (or sqlite:<path>); must be empty')
    .action(async (options: { from: string; to: string }) => {
      const copied = await copyStore(options.from, options.to);
      const total = Object.values(copied).reduce((a, b) => a + b, 0);
      print(`copied ${total} rows: ${Object.entries(copied).map(([table, n]) => `${table} ${n}`).join(', ')}`);
    });
  storeCommand
    .command('show-message <messageId>')
    .description('write a stored sealed message to a file (for operators and receivers\' tests)')
    .requiredOption('--out <file>', 'where to write it')
    .action(async (messageId: string, options: { out: string }) => {
      await withStore(async (store) => {
        const message = await store.getSealedMessage(messageId);
        if (!message) throw new Error(`no sealed message ${messageId}`);
        writeFileSync(options.out, message.body, { mode: 0o600 });
        print(`wrote ${options.out} (${message.contentType}, ${message.body.length} bytes)`);
      });
    });
}
