import type { CliContext } from './context.js';
import { configuredKeys, loadGatewayKeys } from '../seal/index.js';

/** The gateway's keys: state in the store, files in gateway.yaml. */
export function registerKeysCommands({ program, print, withStore }: CliContext): void {
  const keysCommand = program.command('keys').description("the gateway's signing and escrow keys (files in gateway.yaml; their state in the store)");
  keysCommand
    .command('list')
    .description('configured keys and their state')
    .action(async () => {
      await withStore(async (store) => {
        const counts = await Promise.all((await store.listKeyStates()).map(async (k) => ({ ...k, open: k.purpose === 'signing' ? await store.countOpenMessagesSignedWith(k.kid) : 0 })));
        for (const k of counts) print(`${k.purpose.padEnd(8)} ${k.state.padEnd(10)} ${k.kid}${k.purpose === 'signing' ? `  (${k.open} open messages signed with it)` : ''}`);
      });
    });
  keysCommand
    .command('rotate <kid>')
    .description('make another configured key active; the previous one stays published for verification')
    .action(async (kid: string) => {
      await withStore(async (store, loaded) => {
          const keys = await loadGatewayKeys({ config: loaded.gateway.keys, configDir: loaded.configDir, dataDir: loaded.dataDir, storeKind: store.kind });
        if (!keys.signing.has(kid) && !keys.escrow.has(kid)) throw new Error(`${kid} is not a configured key of this gateway (add its file under keys: in gateway.yaml first)`);
        const now = new Date().toISOString();
        await store.registerKeys(configuredKeys(keys), now);
        if (!(await store.activateKey(kid, 'cli', now))) throw new Error(`${kid} is retired and cannot be activated again`);
        await store.appendAudit({ at: now, actor: process.env.USER ?? 'cli', action: 'keys.rotate', detail: { kid } });
        print(`${kid} is active; every instance follows within seconds`);
      });
    });
  keysCommand
    .command('retire <kid>')
    .description('stop publishing a key; refused while messages signed with it are not final, unless --force')
    .option('--force', 'retire even though open messages were signed with it')
    .action(async (kid: string, options: { force?: boolean }) => {
      await withStore(async (store) => {
        const state = (await store.listKeyStates()).find((k) => k.kid === kid);
        if (!state) throw new Error(`${kid} is not known to the store`);
        if (state.state === 'active') throw new Error(`${kid} is the active ${state.purpose} key: rotate to another first`);
        const open = await store.countOpenMessagesSignedWith(kid);
        if (open > 0 && !options.force) {
          throw new Error(`${open} undelivered or unacknowledged messages were signed with ${kid}; their receivers still need it (--force to retire anyway)`);
        }
        const now = new Date().toISOString();
        await store.retireKey(kid, 'cli', now);
        await store.appendAudit({ at: now, actor: process.env.USER ?? 'cli', action: 'keys.retire', detail: { kid, openMessages: open, forced: options.force === true } });
        print(`${kid} retired${open > 0 ? ` (forced; ${open} open messages were signed with it)` : ''}`);
      });
    });
}
