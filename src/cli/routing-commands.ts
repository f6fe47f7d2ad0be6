import { cliActor, type CliContext } from './context.js';
import { NotFoundError, InvalidRequestError } from '../lib/errors.js';

/** Routing versions in the store, and route explanations. */
export function registerRoutingCommands({ program, print, withStore }: CliContext): void {
  const routingCommand = program.command('routing').description('routing versions in the store');
  routingCommand
    .command('import <file>')
    .description(
      'store a routing file as a new version (after validation); the only way a file replaces stored routing',
    )
    .requiredOption('--note <text>', 'why this change (kept in the history)')
    .option('--author <name>', 'who makes the change', cliActor())
    .action(async (file: string, options: { note: string; author: string }) => {
      // Each action imports what it runs (see cli.ts).
      const [{ importRouting }, { destinationKeyCheck, recipientKeyResolver }] = await Promise.all([
        import('../operations/import-routing.js'),
        import('../gateway/seal-setup.js'),
      ]);
      await withStore(async (store, loaded) => {
        const checkKeys = destinationKeyCheck(await recipientKeyResolver(loaded));
        const result = await importRouting(store, file, {
          knownServices: new Set(loaded.services.keys()),
          fileDropRoot: loaded.fileDropRoot,
          checkKeys,
          note: options.note,
          author: options.author,
          now: new Date(),
        });
        print(`imported ${file} as routing version ${result.version}`);
        if (result.diff) print(JSON.stringify(result.diff, null, 2));
      });
    });

  program
    .command('route <serviceKey> <regionKey>')
    .description('which destinations a submission would reach under the routing in force, and why')
    .option('--at <time>', 'time of receipt to evaluate (date or ISO date-time); default now')
    .action(async (serviceKey: string, regionKey: string, options: { at?: string }) => {
      const [{ routingSchema }, { resolveRoute }, { instantMs }] = await Promise.all([
        import('../config/routing-schema.js'),
        import('../routing/resolve.js'),
        import('../config/rule-validity.js'),
      ]);
      await withStore(async (store) => {
        const current = await store.currentRouting();
        if (!current)
          throw new NotFoundError(
            'the store holds no routing yet: start the gateway once, or run "amtsbote routing import"',
          );
        const at = options.at ? new Date(instantMs(options.at)) : new Date();
        if (Number.isNaN(at.getTime())) throw new InvalidRequestError(`--at ${options.at ?? ''} is not a date`);
        const result = resolveRoute(routingSchema.parse(current.document), serviceKey, regionKey, at);
        print(`routing version ${current.version}, at ${at.toISOString()}: ${result.explanation.summary}`);
        for (const c of result.explanation.considered) print(`  rule ${c.index} (region ${c.region}): ${c.outcome}`);
        if (result.explanation.skippedDisabled.length > 0)
          print(`  disabled, skipped: ${result.explanation.skippedDisabled.join(', ')}`);
        for (const d of result.destinations)
          print(`→ ${d.id} (${d.adapter.kind}; ${d.standard.name} ${d.standard.version} ${d.standard.message})`);
        if (result.destinations.length === 0) process.exitCode = 2;
      });
    });
}
