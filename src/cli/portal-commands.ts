import { cliActor, type CliContext } from './context.js';
import { Option } from 'commander';
import { registerPortalReplyCommands } from './portal-reply-commands.js';

// Each action imports what it runs (see cli.ts).
const portalTokens = () => import('../operations/portal-tokens.js');

/** Portals and their tokens. */
export function registerPortalCommands({ program, print, withStore }: CliContext): void {
  const portalCommand = program.command('portal').description('portals and their tokens (kept in the store)');
  registerPortalReplyCommands(portalCommand);
  const list = (value: string) =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  portalCommand
    .command('add <id>')
    .description('add a portal; prints its token once (only the hash is stored)')
    .requiredOption('--services <keys>', 'comma-separated LeiKa keys, or *', list)
    .requiredOption('--regions <prefixes>', 'comma-separated ARS prefixes', list)
    .addOption(new Option('--name <name>', 'display name'))
    .action(async (id: string, options: { services: string[]; regions: string[]; name?: string }) => {
      const [{ portalSchema }, { addPortal }] = await Promise.all([
        import('../config/gateway-schema.js'),
        portalTokens(),
      ]);
      await withStore(async (store) => {
        const portal = portalSchema
          .omit({ tokenHashes: true })
          .parse({ id, name: options.name ?? id, services: options.services, regions: options.regions });
        const result = await addPortal(store, portal, new Date(), cliActor());
        print(`portal ${id} added. Its token (shown only now):\n${result.token}`);
      });
    });
  portalCommand
    .command('rotate-token <id>')
    .description('issue a new token; the old one stays valid for tokenRotationOverlapHours')
    .action(async (id: string) => {
      const { rotatePortalToken } = await portalTokens();
      await withStore(async (store, loaded) => {
        const result = await rotatePortalToken(
          store,
          id,
          new Date(),
          loaded.gateway.tokenRotationOverlapHours,
          cliActor(),
        );
        print(
          `new token for ${id} (shown only now):\n${result.token}\nprevious tokens valid until ${result.previousValidUntil}`,
        );
      });
    });
}
