import type { CliContext } from './context.js';
import { registerStorePurgeCommand } from './store-purge-command.js';
import { writeFileSync } from 'node:fs';

/** Store operations. */
export function registerStoreCommands(context: CliContext): void {
  const { program, print, withStore } = context;
  const storeCommand = program.command('store').description('the store');
  registerStorePurgeCommand(storeCommand, context);
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
