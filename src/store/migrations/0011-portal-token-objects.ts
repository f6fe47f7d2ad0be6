import type { Kysely } from 'kysely';
import { ConfigError } from '../../lib/errors.js';

/**
 * The first store kept a portal's tokens as a JSON list of hash strings (`["sha256:…"]`); since portal tokens
 * could be rotated they are objects (`[{hash, notAfter?}]`, see types.ts). Nothing converted the old form, so a
 * data dir from that release answered 500 to every portal request. This converts it, row by row; rows already
 * in the new form are left as they are, so the conversion is safe to run on any store.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const tables = db as unknown as Kysely<Tables>;
  // Portals are few (one per portal operator): read at once, converted in one transaction.
  const convert = async (trx: Kysely<Tables>) => {
    const rows = await trx.selectFrom('portals').select(['id', 'token_hashes']).execute();
    for (const row of rows) {
      const converted = tokenObjects(row.id, row.token_hashes);
      if (converted !== undefined)
        await trx.updateTable('portals').set({ token_hashes: converted }).where('id', '=', row.id).execute();
    }
  };
  if (tables.isTransaction) await convert(tables);
  else await tables.transaction().execute(convert);
}

interface Tables {
  portals: { id: string; token_hashes: string };
}

/** The new form of a stored token list, or undefined when it is in the new form already. */
function tokenObjects(portalId: string, stored: string): string | undefined {
  const parsed = JSON.parse(stored) as unknown;
  if (!Array.isArray(parsed))
    throw new ConfigError(`portal ${portalId}: stored tokens are not a list; the store cannot be upgraded`);
  if (!parsed.some((entry) => typeof entry === 'string')) return undefined;
  const tokens = parsed.map((entry: unknown) => {
    if (typeof entry === 'string') return { hash: entry };
    if (typeof entry === 'object' && entry !== null && typeof (entry as { hash?: unknown }).hash === 'string')
      return entry;
    throw new ConfigError(
      `portal ${portalId}: a stored token is neither a hash nor {hash}; the store cannot be upgraded`,
    );
  });
  return JSON.stringify(tokens);
}
