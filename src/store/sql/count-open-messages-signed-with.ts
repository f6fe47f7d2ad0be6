import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Messages signed with `kid` that are not yet final (accepted, rejected, cancelled): they still need the key. */
export async function countOpenMessagesSignedWith(db: Kysely<Database>, kid: string): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('signing_kid', '=', kid)
    .where('state', 'in', ['pending', 'delivered', 'deferred', 'dead-lettered'])
    .executeTakeFirst();
  // PostgreSQL returns count(*) as a string
  return Number(row?.n ?? 0);
}
