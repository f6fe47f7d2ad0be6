import { acceptSubmission, type IntakeContext } from '../../intake/accept-submission.js';
import { backoffDelayMs } from '../../delivery/retry-policy.js';
import { AmtsboteError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { isAttachmentPurpose } from '../../receiver/format.js';
import type { InboundState, InboundSubmission } from '../../store/sql/inbound-row.js';
import type { Store } from '../../store/store.js';
import type { StoredPortal } from '../../store/types.js';
import { ourDecision } from './our-decision.js';
import type { DestinationPorts, FetchedSubmission, RejectProblem, ValidSubmission } from './pick-up-ports.js';
import { DeliveryServiceUnavailable, type SubscriberApi } from './subscriber-api.js';

/** Retries of a submission the delivery service could not serve: 5 s doubling to an hour (cockatiel's back-off). */
const retrySchedule = { initialDelaySeconds: 5, maxDelaySeconds: 3600, maxAttempts: Number.MAX_SAFE_INTEGER };
/** A waiting case is looked at again this often (and at once when routing changes). */
const waitingRecheckMs = 15 * 60_000;

export interface PickUpContext {
  store: Pick<Store, 'settleInbound' | 'appendEvents' | 'appendAudit'>;
  api: SubscriberApi;
  intake: IntakeContext;
  clock: () => Date;
  logger: Logger;
  /** This instance's lease owner name. */
  owner: string;
}

export interface PickUpDestination {
  destinationId: string;
  regionKey: string;
  /** Who the onward submission belongs to (see subscriber-portal.ts). */
  portal: StoredPortal;
  ports: DestinationPorts;
}

/** How one pick-up ended, for the metric. */
export type PickUpOutcome = 'accepted' | 'rejected' | 'waiting' | 'retry';

/**
 * One inbound submission under this instance's lease, read top to bottom: fetch it, its attachments and its
 * case's event log → the checks → a reject SET, or → the inbound mapping → the normal intake pipeline with the
 * FIT-Connect submission id as idempotency key → only after the commit, the accept SET. Valid but with nowhere
 * to go (no mapping, no routing) is our configuration's fault: it waits, visible, and is never rejected for it.
 * A crash anywhere is healed by the next pick-up: the same idempotency key finds the committed case, and the
 * accept is posted then; an accept or reject already in the log is recorded, not posted again.
 */
export async function pickUp(
  ctx: PickUpContext,
  destination: PickUpDestination,
  row: InboundSubmission,
  signal: AbortSignal,
): Promise<PickUpOutcome> {
  try {
    return await pickUpUnderLease(ctx, destination, row, signal);
  } catch (error) {
    const afterMs = error instanceof DeliveryServiceUnavailable ? error.afterMs : undefined;
    const reason = error instanceof DeliveryServiceUnavailable ? error.reason : `error-${(error as Error).name}`;
    if (!(error instanceof DeliveryServiceUnavailable))
      ctx.logger.warn({ submission: row.id, errorClass: (error as Error).name }, 'FIT-Connect pick-up failed');
    await settle(ctx, row, row.state === 'waiting' ? 'pending' : row.state, reason, retryAt(ctx, row, afterMs));
    return 'retry';
  }
}

async function pickUpUnderLease(
  ctx: PickUpContext,
  destination: PickUpDestination,
  row: InboundSubmission,
  signal: AbortSignal,
): Promise<PickUpOutcome> {
  const document = await ctx.api.getSubmission(row.id, signal);
  if (!document) {
    // Gone from the delivery service (deleted after its own reject, or never ours): nothing left to decide.
    await settle(ctx, row, 'rejected', 'gone-at-delivery-service', ctx.clock().toISOString());
    return 'rejected';
  }
  const eventLog = await ctx.api.readEventLog(row.caseId, signal);
  const decided = ourDecision(eventLog, destination.destinationId, row.id);
  if (decided) {
    await settle(ctx, row, decided, row.reason, ctx.clock().toISOString());
    return decided;
  }
  const announced = Array.isArray(document.attachments)
    ? document.attachments.filter((a) => typeof a === 'string')
    : [];
  const attachments = new Map<string, string>();
  for (const id of announced) {
    const jwe = await ctx.api.getAttachment(row.id, id, signal);
    if (jwe !== undefined) attachments.set(id, jwe);
  }
  const fetched: FetchedSubmission = {
    submissionId: row.id,
    caseId: row.caseId,
    destinationId: destination.destinationId,
    encryptedMetadata: document.encryptedMetadata ?? '',
    encryptedData: document.encryptedData ?? '',
    attachments,
    announcedAttachments: announced,
  };

  const checked = await destination.ports.check(fetched, eventLog);
  if (checked.kind === 'retry') {
    await settle(ctx, row, 'pending', checked.reason, retryAt(ctx, row));
    return 'retry';
  }
  if (checked.kind === 'reject') return reject(ctx, destination, row, fetched, checked.problems, signal);

  const mapped = await destination.ports.map(checked);
  if (!mapped) return wait(ctx, row, 'no-inbound-mapping');
  if (!mapped.ok) {
    const detail = mapped.errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ');
    return reject(ctx, destination, row, fetched, [destination.ports.dataProblem(mapped.reason, detail)], signal);
  }

  let onwardSubmissionId: string;
  try {
    const outcome = await acceptSubmission(ctx.intake, {
      portal: destination.portal,
      body: envelopeOf(destination, row, checked, mapped),
      parts: new Map(
        checked.attachments.filter((a) => mapped.attachments.some((m) => m.id === a.id)).map((a) => [a.id, a.content]),
      ),
      idempotencyKey: `fitconnect:${row.id}`,
    });
    onwardSubmissionId = outcome.answer.submissionId;
  } catch (error) {
    if (!(error instanceof AmtsboteError)) throw error;
    if (['unroutable-region', 'unknown-service', 'forbidden'].includes(error.code)) return wait(ctx, row, error.code);
    if (['invalid-data', 'invalid-attachment', 'invalid-envelope'].includes(error.code)) {
      const detail = error.errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ') || error.message;
      return reject(ctx, destination, row, fetched, [destination.ports.dataProblem('data-schema', detail)], signal);
    }
    // The gateway's own trouble (a recipient key, a schema set): not the sender's fault, tried again later.
    await settle(ctx, row, 'pending', error.code, retryAt(ctx, row));
    return 'retry';
  }
  // Committed: from here only the accept is missing, and the same idempotency key finds this case again.
  await ctx.store.settleInbound({
    id: row.id,
    owner: ctx.owner,
    state: 'committed',
    onwardSubmissionId,
    serviceKey: mapped.serviceKey,
    nextAttemptAt: ctx.clock().toISOString(),
    now: ctx.clock().toISOString(),
    keepLease: true,
  });
  crashPoint('fitconnect-after-commit');
  const accept = await destination.ports.acceptSet(fetched, checked);
  await ctx.api.postEvent(row.caseId, accept, signal);
  const at = ctx.clock().toISOString();
  await ctx.store.appendEvents(onwardSubmissionId, [
    {
      at,
      type: 'fitconnect-submitted',
      data: {
        fitConnect: { submissionId: row.id, caseId: row.caseId, destinationId: destination.destinationId },
        set: checked.submitSet,
      },
    },
    {
      at,
      type: 'fitconnect-accepted',
      data: { fitConnect: { submissionId: row.id, caseId: row.caseId }, set: accept },
    },
  ]);
  await settle(ctx, { ...row, onwardSubmissionId }, 'accepted', undefined, at);
  await ctx.store.appendAudit({
    at,
    actor: 'fitconnect-subscriber',
    action: 'inbound.taken-on',
    detail: {
      fitConnectSubmissionId: row.id,
      caseId: row.caseId,
      destinationId: destination.destinationId,
      submissionId: onwardSubmissionId,
    },
  });
  return 'accepted';
}

/** What intake takes: the mapped service and data, the destination's region, the attachments that come along. */
function envelopeOf(
  destination: PickUpDestination,
  row: InboundSubmission,
  valid: ValidSubmission,
  mapped: { serviceKey: string; data: Record<string, unknown>; attachments: { id: string; purpose: string }[] },
): Record<string, unknown> {
  const attachments = mapped.attachments.flatMap((m) => {
    const a = valid.attachments.find((candidate) => candidate.id === m.id);
    if (!a) return [];
    return [
      {
        id: a.id,
        filename: a.filename ?? a.id,
        mediaType: a.mediaType,
        ...(isAttachmentPurpose(m.purpose) ? { purpose: m.purpose } : {}),
      },
    ];
  });
  return {
    serviceKey: mapped.serviceKey,
    regionKey: destination.regionKey,
    data: mapped.data,
    ...(attachments.length > 0 ? { attachments } : {}),
    reference: `fitconnect:${row.id}`,
  };
}

async function reject(
  ctx: PickUpContext,
  destination: PickUpDestination,
  row: InboundSubmission,
  fetched: FetchedSubmission,
  problems: readonly RejectProblem[],
  signal: AbortSignal,
): Promise<PickUpOutcome> {
  const set = await destination.ports.rejectSet(fetched, problems);
  await ctx.api.postEvent(row.caseId, set, signal);
  const reason = (problems[0]?.type ?? 'rejected').split('/').pop() ?? 'rejected';
  await settle(ctx, row, 'rejected', reason, ctx.clock().toISOString());
  return 'rejected';
}

async function wait(ctx: PickUpContext, row: InboundSubmission, reason: string): Promise<PickUpOutcome> {
  const now = ctx.clock();
  await settle(ctx, row, 'waiting', reason, new Date(now.getTime() + waitingRecheckMs).toISOString());
  if (row.state !== 'waiting' || row.reason !== reason)
    await ctx.store.appendAudit({
      at: now.toISOString(),
      actor: 'fitconnect-subscriber',
      action: 'inbound.waiting',
      detail: { fitConnectSubmissionId: row.id, caseId: row.caseId, destinationId: row.destinationId, reason },
    });
  return 'waiting';
}

async function settle(
  ctx: PickUpContext,
  row: InboundSubmission,
  state: InboundState,
  reason: string | undefined,
  nextAttemptAt: string,
): Promise<void> {
  const settled = await ctx.store.settleInbound({
    id: row.id,
    owner: ctx.owner,
    state,
    reason,
    onwardSubmissionId: row.onwardSubmissionId,
    nextAttemptAt,
    now: ctx.clock().toISOString(),
  });
  if (!settled)
    ctx.logger.warn({ submission: row.id }, 'lost the lease on a FIT-Connect submission while picking it up');
}

function retryAt(ctx: PickUpContext, row: InboundSubmission, afterMs?: number): string {
  const delay = Math.max(backoffDelayMs(retrySchedule, Math.max(1, row.attempts)), Math.min(afterMs ?? 0, 86_400_000));
  return new Date(ctx.clock().getTime() + delay).toISOString();
}

/**
 * The crash tests' hook (test/e2e): with AMTSBOTE_CRASH_AT naming this point the process dies here at once, as a
 * SIGKILL would, so the test sees what a crash between commit and accept leaves behind.
 */
function crashPoint(name: string): void {
  if (process.env.AMTSBOTE_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
