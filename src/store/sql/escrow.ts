import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { EscrowCopy } from '../types.js';
import { bodyText } from './body-text.js';

export async function getEscrowCopy(db: Kysely<Database>, submissionId: string): Promise<EscrowCopy | undefined> {
  const row = await db
    .selectFrom('escrow_copies')
    .selectAll()
    .where('submission_id', '=', submissionId)
    .executeTakeFirst();
  return row && { submissionId: row.submission_id, escrowKid: row.escrow_kid, body: bodyText(row.body) };
}
