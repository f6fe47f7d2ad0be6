import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { InvalidRequestError } from '../lib/errors.js';
import { cliActor, type CliContext } from './context.js';

// Each action imports what it runs (see cli.ts): --help loads neither the gateway nor the operations.
const replyKeys = () => import('../operations/portal-reply-keys.js');
const sealSetup = () => import('../gateway/seal-setup.js');

/**
 * `amtsbote portal reply-key add|list`: a portal's reply keys (issue 24), as the admin API registers them — checked
 * like recipients' keys, rotated with the token overlap (`tokenRotationOverlapHours`).
 */
export function registerPortalReplyKeyCommands({ program, print, withStore }: CliContext): void {
  const portal = program.commands.find((c) => c.name() === 'portal') ?? program.command('portal');
  const replyKey = new Command('reply-key').description("a portal's reply encryption keys (kept in the store)");
  portal.addCommand(replyKey);
  replyKey
    .command('add <portalId>')
    .description('register a reply key (RSA ≥ 4096, RSA-OAEP-256); the current one stays usable for the overlap')
    .addOption(new Option('--jwk <file>', 'a file with the public JWK').conflicts('jwksUrl'))
    .addOption(new Option('--jwks-url <url>', 'a JWK Set URL'))
    .addOption(new Option('--kid <kid>', 'the kid of the key meant in the JWK Set'))
    .action(async (portalId: string, options: { jwk?: string; jwksUrl?: string; kid?: string }) => {
      let source: unknown;
      if (options.jwk) {
        try {
          source = { jwk: JSON.parse(readFileSync(options.jwk, 'utf8')) as unknown };
        } catch (error) {
          throw new InvalidRequestError(`cannot read the JWK in ${options.jwk}: ${(error as Error).message}`);
        }
      } else if (options.jwksUrl) source = { jwksUrl: options.jwksUrl, ...(options.kid ? { kid: options.kid } : {}) };
      else throw new InvalidRequestError('give --jwk <file> or --jwks-url <url>');
      const [{ registerReplyKey }, { recipientKeyResolver }] = await Promise.all([replyKeys(), sealSetup()]);
      await withStore(async (store, loaded) => {
        const resolver = await recipientKeyResolver(loaded);
        const result = await registerReplyKey(
          { store, resolver },
          {
            portalId,
            source,
            now: new Date(),
            overlapHours: loaded.gateway.tokenRotationOverlapHours,
            actor: cliActor(),
          },
        );
        print(
          `reply key ${result.kid} registered for ${portalId}; earlier keys usable until ${result.previousValidUntil}`,
        );
      });
    });
  replyKey
    .command('list <portalId>')
    .description("a portal's reply keys: kid, source, whether current")
    .action(async (portalId: string) => {
      const { describeReplyKeys } = await replyKeys();
      await withStore(async (store) => {
        const keys = await describeReplyKeys(store, portalId, new Date());
        if (keys.length === 0) print(`${portalId} has no reply key: its submissions cannot be answered`);
        for (const k of keys)
          print(
            `${k.kid}\t${k.source}\t${k.current ? 'current' : 'expired'}${k.notAfter ? `\tuntil ${k.notAfter}` : ''}`,
          );
      });
    });
}
