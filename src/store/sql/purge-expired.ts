import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { PurgeCounts, PurgePlan } from '../types.js';
import { purgeAudit } from './purge-audit.js';
import { purgeEscrowCopies } from './purge-escrow-copies.js';
import { purgeEventLogs } from './purge-event-logs.js';
import { purgeExpiredIdempotencyKeys } from './purge-expired-idempotency-keys.js';
import { purgeIdempotencyKeysOfFinal } from './purge-idempotency-keys-of-final.js';
import { purgeReplyCiphertexts } from './purge-reply-ciphertexts.js';
import { purgeSealedMessages } from './purge-sealed-messages.js';

/**
 * Carries out a retention plan — or, with `dryRun`, counts what it would delete. Each step is its own
 * statement and idempotent, so a run cut short by a crash is simply finished by the next one.
 */
export async function purgeExpired(db: Kysely<Database>, plan: PurgePlan, dryRun: boolean): Promise<PurgeCounts> {
  const counts: PurgeCounts = {
    sealedMessages: 0,
    escrowCopies: 0,
    idempotencyKeys: 0,
    eventLogs: 0,
    auditRecords: 0,
    replyCiphertexts: 0,
  };
  counts.idempotencyKeys += await purgeExpiredIdempotencyKeys(db, plan.now, dryRun);
  for (const group of plan.groups) {
    counts.sealedMessages += await purgeSealedMessages(db, group.services, group.cutoffs.sealedMessages, dryRun);
    counts.escrowCopies += await purgeEscrowCopies(db, group.services, group.cutoffs.escrowCopies, dryRun);
    counts.idempotencyKeys += await purgeIdempotencyKeysOfFinal(
      db,
      group.services,
      group.cutoffs.idempotencyKeys,
      dryRun,
    );
    counts.eventLogs += await purgeEventLogs(db, group.services, group.cutoffs.eventLogs, plan.now, dryRun);
  }
  counts.auditRecords = await purgeAudit(db, plan.auditCutoff, dryRun);
  counts.replyCiphertexts = await purgeReplyCiphertexts(db, plan.replyCutoff, plan.now, dryRun);
  return counts;
}
