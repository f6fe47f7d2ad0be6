import { sql, type Kysely } from 'kysely';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';
import { acceptSubmission } from './sql/accept-submission.js';
import { findIdempotencyKey } from './sql/find-idempotency-key.js';
import { getSubmission } from './sql/get-submission.js';
import { listSubmissions } from './sql/list-submissions.js';
import { listEvents } from './sql/list-events.js';
import { listPortals } from './sql/list-portals.js';
import { purgeExpired } from './sql/purge-expired.js';
import { takeRateToken } from './sql/take-rate-token.js';
import { sweepRateBuckets } from './sql/sweep-rate-buckets.js';
import { seedPortals } from './sql/seed-portals.js';
import { getPortal } from './sql/get-portal.js';
import { insertPortal } from './sql/insert-portal.js';
import { setPortalTokens } from './sql/set-portal-tokens.js';
import { currentRoutingVersion } from './sql/current-routing-version.js';
import { currentRoutingVersionNumber } from './sql/current-routing-version-number.js';
import { getRoutingVersion } from './sql/get-routing-version.js';
import { listRoutingVersions } from './sql/list-routing-versions.js';
import { appendRoutingVersion } from './sql/append-routing-version.js';
import type { Store } from './store.js';
import type { NewReply } from './reply-types.js';
import { appendAudit } from './sql/append-audit.js';
import { listAudit } from './sql/list-audit.js';
import { claimDeliveries } from './sql/claim-deliveries.js';
import { renewLease } from './sql/renew-lease.js';
import { releaseLease } from './sql/release-lease.js';
import { releaseAllLeases } from './sql/release-all-leases.js';
import { listDeliveries } from './sql/list-deliveries.js';
import { listAttempts } from './sql/list-attempts.js';
import { lastAttemptErrors } from './sql/last-attempt-errors.js';
import { adapterStates } from './sql/adapter-states.js';
import { listMailbox } from './sql/list-mailbox.js';
import { recordMailboxFetch } from './sql/record-mailbox-fetch.js';
import { recordAttempt } from './sql/record-attempt.js';
import { saveAdapterState } from './sql/save-adapter-state.js';
import { listPollable } from './sql/list-pollable.js';
import { savePolledState } from './sql/save-polled-state.js';
import { replayDeliveries } from './sql/replay-deliveries.js';
import { moveDelivery } from './sql/move-delivery.js';
import { saveReplayPlan } from './sql/save-replay-plan.js';
import { getReplayPlan } from './sql/get-replay-plan.js';
import { useReplayPlan } from './sql/use-replay-plan.js';
import { getSealedMessage } from './sql/get-sealed-message.js';
import { replaceSealedMessage } from './sql/replace-sealed-message.js';
import { getEscrowCopy } from './sql/escrow.js';
import { applyReceipt } from './sql/apply-receipt.js';
import { releaseDeferred } from './sql/release-deferred.js';
import { destinationStats } from './sql/destination-stats.js';
import { countSubmissionsByStatus } from './sql/count-submissions-by-status.js';
import { listKeyStates } from './sql/list-key-states.js';
import { registerKeys } from './sql/register-keys.js';
import { activateKey } from './sql/activate-key.js';
import { retireKey } from './sql/retire-key.js';
import { countOpenMessagesSignedWith } from './sql/count-open-messages-signed-with.js';
import { countUnsealedDeliveries, deadLetterUnsealed } from './sql/unsealed-deliveries.js';
import { listOverdueDeferred } from './sql/list-overdue-deferred.js';
import { deadLetterDeferred } from './sql/dead-letter-deferred.js';
import { deferredByAge } from './sql/deferred-by-age.js';
import { takePollLease } from './sql/take-poll-lease.js';
import { releasePollLease } from './sql/release-poll-lease.js';
import type { ChangeTopic } from './change-topics.js';
import { listPortalReplyKeys } from './sql/list-portal-reply-keys.js';
import { addPortalReplyKey } from './sql/add-portal-reply-key.js';
import { nextReplySeq } from './sql/next-reply-seq.js';
import { findMessage } from './sql/find-message.js';
import { insertReply } from './sql/insert-reply.js';
import { getReply } from './sql/get-reply.js';
import { listReplies } from './sql/list-replies.js';
import { recordReplyFetch } from './sql/record-reply-fetch.js';
import { confirmReply } from './sql/confirm-reply.js';
import { listUndeliveredReplies } from './sql/list-undelivered-replies.js';
import { countUndeliveredReplies } from './sql/count-undelivered-replies.js';
import { recordInboundSeen } from './sql/record-inbound-seen.js';
import { takeInboundLease } from './sql/take-inbound-lease.js';
import { settleInbound } from './sql/settle-inbound.js';
import { listInbound } from './sql/list-inbound.js';
import { listDueInbound } from './sql/list-due-inbound.js';
import { wakeWaitingInbound } from './sql/wake-waiting-inbound.js';
import { countInboundByState } from './sql/count-inbound-by-state.js';
import { appendEvents } from './sql/append-events.js';
import { releaseInboundLeases } from './sql/release-inbound-leases.js';

/**
 * Binds the dialect-neutral operations of store/sql/ to one kysely instance. The dialects differ only where
 * the databases do: PostgreSQL's concurrent claimers skip rows another instance is claiming (SQLite has one
 * writer), and the migrations' few type differences (migrations/dialect.ts).
 */
export function kyselyStore(
  db: Kysely<Database>,
  kind: Store['kind'],
  specific: Pick<Store, 'backup' | 'listenForChanges'> & { notify?: (topic: ChangeTopic) => Promise<void> },
): Store {
  // A notice is sent after the commit it tells of, never inside: the others then read what was committed.
  // (PostgreSQL's accept sends its NOTIFY in its one statement, which delivers it at the commit: postgres.ts.)
  const announce = async (topic: ChangeTopic) => {
    // a lost notice only delays the others until their next poll; the change itself is committed
    await specific.notify?.(topic).catch(() => undefined);
  };
  const announcing =
    <Args extends unknown[], Result>(
      operation: (...args: Args) => Promise<Result>,
      topic: ChangeTopic,
      changed: (result: Result) => boolean,
    ) =>
    async (...args: Args): Promise<Result> => {
      const result = await operation(...args);
      if (changed(result)) await announce(topic);
      return result;
    };
  return {
    kind,
    migrate: (context) => migrateToLatest(db, kind, context),
    backup: specific.backup,
    async ping() {
      await sql`select 1`.execute(db);
    },
    countUnsealedDeliveries: () => countUnsealedDeliveries(db),
    deadLetterUnsealed: (now) => deadLetterUnsealed(db, now),
    seedPortals: (portals, now) => seedPortals(db, portals, now),
    listPortals: () => listPortals(db),
    getPortal: (id) => getPortal(db, id),
    insertPortal: (portal, now) => insertPortal(db, portal, now),
    setPortalTokens: (id, tokens, now, expected) => setPortalTokens(db, id, tokens, now, expected),
    currentRouting: () => currentRoutingVersion(db),
    currentRoutingVersionNumber: () => currentRoutingVersionNumber(db),
    getRoutingVersion: (version) => getRoutingVersion(db, version),
    listRoutingVersions: () => listRoutingVersions(db),
    appendRoutingVersion: announcing(
      (expected: number, entry: Parameters<Store['appendRoutingVersion']>[1]) =>
        appendRoutingVersion(db, expected, entry),
      'routing',
      (version) => version !== undefined,
    ),
    acceptSubmission: announcing(
      (input: Parameters<Store['acceptSubmission']>[0]) => acceptSubmission(db, input),
      'deliveries',
      (result) => result.kind === 'created',
    ),
    findIdempotencyKey: (portalId, key, now) => findIdempotencyKey(db, portalId, key, now),
    getSubmission: (id) => getSubmission(db, id),
    listSubmissions: (filter) => listSubmissions(db, filter),
    listEvents: (id) => listEvents(db, id),
    purgeExpired: (plan, dryRun) => purgeExpired(db, plan, dryRun),
    takeRateToken: (key, nowMs, bucket) => takeRateToken(db, key, nowMs, bucket),
    sweepRateBuckets: (beforeMs) => sweepRateBuckets(db, beforeMs),
    claimDeliveries: (options) => claimDeliveries(db, { ...options, skipLocked: kind === 'postgres' }),
    renewLease: (id, fence, leaseUntil) => renewLease(db, id, fence, leaseUntil),
    releaseLease: (id, fence, next) => releaseLease(db, id, fence, next),
    releaseAllLeases: (now) => releaseAllLeases(db, now),
    recordAttempt: (input) => recordAttempt(db, input),
    saveAdapterState: (id, fence, state) => saveAdapterState(db, id, fence, state),
    listPollable: (filter) => listPollable(db, filter),
    savePolledState: (id, state, lastError) => savePolledState(db, id, state, lastError),
    getSealedMessage: (id) => getSealedMessage(db, id),
    replaceSealedMessage: (message, now) => replaceSealedMessage(db, message, now),
    listMailbox: (destinationId, after, limit) => listMailbox(db, destinationId, after, limit),
    recordMailboxFetch: (destinationId, messageId, now) => recordMailboxFetch(db, destinationId, messageId, now),
    listDeliveries: (filter) => listDeliveries(db, filter),
    listAttempts: (id) => listAttempts(db, id),
    lastAttemptErrors: (ids) => lastAttemptErrors(db, ids),
    adapterStates: (ids) => adapterStates(db, ids),
    replayDeliveries: announcing(
      (ids: readonly string[], now: string, reason: string) => replayDeliveries(db, ids, now, reason),
      'deliveries',
      (replayed) => replayed.length > 0,
    ),
    moveDelivery: (id, destinationId, now) => moveDelivery(db, id, destinationId, now),
    saveReplayPlan: (plan, now) => saveReplayPlan(db, plan, now),
    getReplayPlan: (id) => getReplayPlan(db, id),
    useReplayPlan: (id, now) => useReplayPlan(db, id, now),
    appendAudit: (entry) => appendAudit(db, entry),
    listAudit: (limit, before) => listAudit(db, limit, before),
    destinationStats: (regions) => destinationStats(db, regions),
    countSubmissionsByStatus: (since, regions) => countSubmissionsByStatus(db, since, regions),
    getEscrowCopy: (id) => getEscrowCopy(db, id),
    applyReceipt: (input) => applyReceipt(db, input),
    releaseDeferred: announcing(
      (input: Parameters<Store['releaseDeferred']>[0]) => releaseDeferred(db, input),
      'deliveries',
      (released) => released,
    ),
    listOverdueDeferred: (now, limit) => listOverdueDeferred(db, now, limit),
    deadLetterDeferred: (input) => deadLetterDeferred(db, input),
    deferredByAge: (now) => deferredByAge(db, now),
    takePollLease: (input) => takePollLease(db, input),
    releasePollLease: (destinationId, owner) => releasePollLease(db, destinationId, owner),
    recordInboundSeen: (input) => recordInboundSeen(db, input),
    takeInboundLease: (input) => takeInboundLease(db, input),
    settleInbound: (input) => settleInbound(db, input),
    listInbound: (filter) => listInbound(db, filter),
    listDueInbound: (input) => listDueInbound(db, input),
    wakeWaitingInbound: (now) => wakeWaitingInbound(db, now),
    releaseInboundLeases: () => releaseInboundLeases(db),
    countInboundByState: () => countInboundByState(db),
    appendEvents: (submissionId, events) => appendEvents(db, submissionId, events),
    announce,
    listenForChanges: specific.listenForChanges,
    listKeyStates: () => listKeyStates(db),
    registerKeys: (keys, now) => registerKeys(db, keys, now),
    activateKey: announcing(
      (kid: string, actor: string, now: string) => activateKey(db, kid, actor, now),
      'keys',
      (activated) => activated,
    ),
    retireKey: announcing(
      (kid: string, actor: string, now: string) => retireKey(db, kid, actor, now),
      'keys',
      () => true,
    ),
    countOpenMessagesSignedWith: (kid) => countOpenMessagesSignedWith(db, kid),
    listPortalReplyKeys: (portalId) => listPortalReplyKeys(db, portalId),
    addPortalReplyKey: (key, previousNotAfter) => addPortalReplyKey(db, key, previousNotAfter),
    nextReplySeq: (submissionId) => nextReplySeq(db, submissionId),
    findMessage: (id) => findMessage(db, id),
    // A reply's callback is a delivery due now: the other instances' workers are told at once.
    insertReply: announcing(
      (reply: NewReply, links: { replyUrl: string }) => insertReply(db, reply, links),
      'deliveries',
      (result) => result.kind === 'created',
    ),
    getReply: (id) => getReply(db, id),
    listReplies: (submissionId) => listReplies(db, submissionId),
    recordReplyFetch: (id, now) => recordReplyFetch(db, id, now),
    confirmReply: (input) => confirmReply(db, input),
    listUndeliveredReplies: (before, limit) => listUndeliveredReplies(db, before, limit),
    countUndeliveredReplies: (before) => countUndeliveredReplies(db, before),
    close: () => db.destroy(),
  };
}
