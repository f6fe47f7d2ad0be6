import { existsSync } from 'node:fs';
import { Option } from 'commander';
import { cliActor, type CliContext } from './context.js';
import type { GatewayKeyPurpose } from '../seal/index.js';
import { InvalidRequestError, ConflictError } from '../lib/errors.js';

// Each action imports what it runs (see cli.ts): the command tree loads neither the store nor the key material.
const gatewayKeys = () => import('../operations/gateway-keys.js');
const seal = () => import('../seal/index.js');

/** The gateway's keys: state in the store, files in gateway.yaml. */
export function registerKeysCommands({ program, print, withStore }: CliContext): void {
  const keysCommand = program
    .command('keys')
    .description("the gateway's signing and escrow keys (files in gateway.yaml; their state in the store)");
  keysCommand
    .command('list')
    .description('configured keys and their state')
    .action(async () => {
      const { listGatewayKeys } = await gatewayKeys();
      await withStore(async (store) => {
        for (const k of await listGatewayKeys(store))
          print(
            `${k.purpose.padEnd(8)} ${k.state.padEnd(10)} ${k.kid}${k.purpose === 'signing' ? `  (${k.openMessages} open messages signed with it)` : ''}`,
          );
      });
    });
  keysCommand
    .command('new <file>')
    .description(
      'make a new RSA-4096 key pair and write its private JWK (owner-readable only) to <file>; never overwrites',
    )
    .addOption(
      new Option('--purpose <purpose>', 'what the key is for').choices(['signing', 'escrow']).makeOptionMandatory(),
    )
    .option('--kid-prefix <prefix>', 'the kid is <prefix>-<thumbprint>', 'amtsbote')
    .action(async (file: string, options: { purpose: GatewayKeyPurpose; kidPrefix: string }) => {
      if (!/^[A-Za-z0-9._-]{1,40}$/.test(options.kidPrefix))
        throw new InvalidRequestError('--kid-prefix: 1–40 letters, digits, dots, hyphens or underscores');
      if (existsSync(file)) throw new ConflictError(`${file} exists already: a key file is never overwritten`);
      const { writeNewGatewayKey } = await seal();
      const kid = await writeNewGatewayKey(file, options.purpose, {
        kidPrefix: `${options.kidPrefix}-${options.purpose === 'signing' ? 'sig' : 'escrow'}`,
        existing: 'refuse',
      });
      print(
        `${kid ?? ''} written to ${file}. Copy the file to every instance and name it in gateway.yaml:\n  keys:\n    ${options.purpose}:\n      - { kid: ${kid ?? ''}, file: ${file} }`,
      );
      if (options.purpose === 'signing') print('Then "amtsbote keys rotate <kid>" makes it the active signing key.');
    });
  keysCommand
    .command('rotate <kid>')
    .description('make another configured key active; the previous one stays published for verification')
    .action(async (kid: string) => {
      const [{ loadGatewayKeys }, { rotateGatewayKey }] = await Promise.all([seal(), gatewayKeys()]);
      await withStore(async (store, loaded) => {
        const keys = await loadGatewayKeys({
          config: loaded.gateway.keys,
          configDir: loaded.configDir,
          dataDir: loaded.dataDir,
          storeKind: store.kind,
        });
        await rotateGatewayKey({ store, keys, kid, actor: cliActor(), now: new Date() });
        print(`${kid} is active; every instance follows within seconds`);
      });
    });
  keysCommand
    .command('retire <kid>')
    .description('stop publishing a key; refused while messages signed with it are not final, unless --force')
    .option('--force', 'retire even though open messages were signed with it')
    .action(async (kid: string, options: { force?: boolean }) => {
      const { retireGatewayKey } = await gatewayKeys();
      await withStore(async (store) => {
        const { openMessages } = await retireGatewayKey({
          store,
          kid,
          actor: cliActor(),
          now: new Date(),
          force: options.force === true,
        });
        print(
          `${kid} retired${openMessages > 0 ? ` (forced; ${openMessages} open messages were signed with it)` : ''}`,
        );
      });
    });
}
