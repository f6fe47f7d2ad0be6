import { registerStorePurgeCommand } from './store-purge-command.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { AmtsboteError } from '../lib/errors.js';
import type { CliContext } from './context.js';
import { NotFoundError } from '../lib/errors.js';

/**
 * Store operations: migrations, backup, moving to another store, retention, reading a stored message. Each action
 * imports what it runs (see cli.ts).
 */
export function registerStoreCommands(context: CliContext): void {
  const { program, print, withStore } = context;
  const storeCommand = program.command('store').description('the store');
  registerStorePurgeCommand(storeCommand, context);
  storeCommand
    .command('migrate')
    .description('apply the migrations the store lacks (the gateway does so on start as well)')
    .option(
      '--dead-letter-unsealed',
      'record deliveries accepted by a release before sealing as dead letters (accepted-before-sealing): no release can deliver them',
    )
    .action(async (options: { deadLetterUnsealed?: boolean }) => {
      const { migrationContext } = await import('./migration-context.js');
      await withStore(
        async (store, loaded) => {
          const applied = await store.migrate(migrationContext(loaded));
          print(
            `the ${store.kind} store is at the latest schema${applied.length > 0 ? `; applied ${applied.join(', ')}` : ' (nothing to apply)'}`,
          );
          const unsealed = options.deadLetterUnsealed
            ? await store.deadLetterUnsealed(new Date().toISOString())
            : await store.countUnsealedDeliveries();
          if (options.deadLetterUnsealed)
            print(
              `recorded ${unsealed} deliveries accepted before sealing as dead letters (accepted-before-sealing); their portals must submit again`,
            );
          else if (unsealed > 0)
            print(
              `the store holds ${unsealed} deliveries accepted by a release before sealing, which no release can deliver; the gateway refuses to start until "amtsbote store migrate --dead-letter-unsealed" records them as dead letters`,
            );
        },
        { migrate: false },
      );
    });
  storeCommand
    .command('backup <file>')
    .description('a consistent copy of a SQLite store while the gateway runs, owner-only (PostgreSQL: use pg_dump)')
    .option('--force', 'overwrite the file if it exists')
    .action(async (file: string, options: { force?: boolean }) => {
      await withStore(async (store, loaded) => {
        await store.backup(resolve(file), { force: options.force ?? false });
        print(
          `wrote a backup of the ${store.kind} store to ${resolve(file)} (owner-only)\n${await companionsNote(loaded)}`,
        );
      });
    });
  storeCommand
    .command('restore <file>')
    .description(
      'put a backup made by "store backup" in place as the SQLite store of the data dir (the gateway stopped)',
    )
    .option('--force', 'replace the store file the data dir holds')
    .action(async (file: string, options: { force?: boolean }) => {
      const loaded = await context.config();
      const settings = loaded.gateway.store;
      if (settings.kind !== 'sqlite')
        throw new AmtsboteError(
          'invalid-request',
          'a PostgreSQL store is restored with pg_restore (see the README, "Backup")',
        );
      const target = resolve(loaded.dataDir, settings.file);
      const [{ acquireServeLock }, { restoreSqliteBackup }] = await Promise.all([
        import('../store/serve-lock.js'),
        import('../store/sqlite-backup-file.js'),
      ]);
      mkdirSync(loaded.dataDir, { recursive: true, mode: 0o700 });
      // the serve lock: refused while a gateway serves this data dir
      const release = acquireServeLock(target, loaded.dataDir);
      try {
        restoreSqliteBackup(resolve(file), target, options.force ?? false);
      } finally {
        release();
      }
      print(
        `restored ${resolve(file)} as ${target}\n${(await companionsNote(loaded)).replace('Keep with it', 'Put back before starting')}`,
      );
    });
  storeCommand
    .command('copy')
    .description('copy a whole store into an empty one, pending deliveries included (stop the gateway first)')
    .requiredOption('--from <store>', 'sqlite:<path> or postgres://…')
    .requiredOption('--to <store>', 'postgres://… (or sqlite:<path>); must be empty')
    .action(async (options: { from: string; to: string }) => {
      const { copyStore } = await import('../store/copy-store.js');
      const copied = await copyStore(options.from, options.to);
      const total = Object.values(copied).reduce((a, b) => a + b, 0);
      print(
        `copied ${total} rows: ${Object.entries(copied)
          .map(([table, n]) => `${table} ${n}`)
          .join(', ')}`,
      );
      if (options.from.startsWith('sqlite:'))
        print(await hmacSecretNote(dirname(resolve(options.from.slice('sqlite:'.length)))));
    });
  storeCommand
    .command('show-message <messageId>')
    .description("write a stored sealed message to a file (for operators and receivers' tests)")
    .requiredOption('--out <file>', 'where to write it')
    .action(async (messageId: string, options: { out: string }) => {
      await withStore(async (store) => {
        const message = await store.getSealedMessage(messageId);
        if (!message) throw new NotFoundError(`no sealed message ${messageId}`);
        writeFileSync(options.out, message.body, { mode: 0o600 });
        print(`wrote ${options.out} (${message.contentType}, ${message.body.length} bytes)`);
      });
    });
}

/** The files outside the store a restore needs (operations/backup-companions.ts), as the commands print them. */
async function companionsNote(loaded: LoadedConfig): Promise<string> {
  const { backupCompanions } = await import('../operations/backup-companions.js');
  return `Keep with it (outside the store; a restore without them cannot answer retries or open escrow copies):\n${backupCompanions(
    loaded,
  )
    .map((l) => `  ${l}`)
    .join('\n')}`;
}

/**
 * What the target of a copy needs to match the hashes the source stored: the same HMAC secret. A data dir's
 * development secret is named (in the form every store reads alike, see config/gateway-secret.ts).
 */
async function hmacSecretNote(sourceDataDir: string): Promise<string> {
  const { developmentSecretFile } = await import('../config/gateway-secret.js');
  const file = developmentSecretFile(sourceDataDir);
  return file
    ? `the copied hashes were made with the development HMAC secret ${file}: configure it on every instance of the target (hmacSecret: file:${file}, or a copy of it, owner-only) or retries of earlier submissions are answered 409`
    : "the copied hashes were made with the source's hmacSecret: configure the same one on every instance of the target, or retries of earlier submissions are answered 409";
}
