import { type Request, type Response, Router } from 'express';
import express from 'express';
import { AmtsboteError } from '../lib/errors.js';
import { confirmReply } from '../replies/confirm-reply.js';
import type { CurrentRouting } from '../routing/routing-state.js';
import { fetchedReply, replySummary } from '../replies/reply-views.js';
import type { Store } from '../store/store.js';
import { currentPortal } from './portal-auth.js';
import type { Metrics } from '../observability/metrics.js';
import type { GatewayEscrowKey } from '../seal/index.js';

type ReplyStore = Pick<Store, 'getSubmission' | 'getReply' | 'listReplies' | 'recordReplyFetch' | 'confirmReply'>;

/**
 * The portal's side of replies (issue 24), behind the portal's token: its submission's replies, one reply to open
 * with the portal kit (the first fetch marks it fetched), and the confirmation. Another portal's submission or
 * reply is "not found", never "forbidden": its existence is not disclosed.
 */
export function portalReplyRoutes(deps: {
  store: ReplyStore;
  clock: () => Date;
  publicBaseUrl: string;
  /** Opens each reply's signed metadata, which the store keeps sealed to the escrow key. */
  escrowKeys: ReadonlyMap<string, GatewayEscrowKey>;
  metrics?: Metrics | undefined;
  /** The routing in force: which destinations take a pushed `reply.confirmed` (replies/confirm-reply.ts). */
  routing?: (() => CurrentRouting) | undefined;
}): Router {
  const router = Router();

  const ownReply = async (req: Request<{ submissionId: string; replyId: string }>, res: Response) => {
    const reply = await deps.store.getReply(req.params.replyId);
    const submission = reply && (await deps.store.getSubmission(reply.submissionId));
    if (
      !reply ||
      !submission ||
      submission.id !== req.params.submissionId ||
      submission.portalId !== currentPortal(res).id
    )
      throw new AmtsboteError('not-found', 'No such reply.');
    return reply;
  };

  router.get('/submissions/:submissionId/replies', async (req: Request<{ submissionId: string }>, res: Response) => {
    const submission = await deps.store.getSubmission(req.params.submissionId);
    if (!submission || submission.portalId !== currentPortal(res).id)
      throw new AmtsboteError('not-found', 'No such submission.');
    const replies = await deps.store.listReplies(submission.id);
    res.json({ submissionId: submission.id, replies: replies.map((r) => replySummary(r, deps.publicBaseUrl)) });
  });

  router.get(
    '/submissions/:submissionId/replies/:replyId',
    async (req: Request<{ submissionId: string; replyId: string }>, res: Response) => {
      const reply = await ownReply(req, res);
      const body = await fetchedReply(reply, deps.escrowKeys);
      await deps.store.recordReplyFetch(reply.id, deps.clock().toISOString());
      // counted once: the first fetch is the pick-up, later ones are the portal reading it again
      if (reply.fetchedAt === undefined) deps.metrics?.recordReply(reply.kind, 'fetched');
      res.json(body);
    },
  );

  router.post(
    '/submissions/:submissionId/replies/:replyId/confirmation',
    express.json({ limit: '16kb', strict: true }),
    async (req: Request<{ submissionId: string; replyId: string }>, res: Response) => {
      const reply = await ownReply(req, res);
      const confirmed = await confirmReply(deps, reply, req.body);
      // counted once: a confirmation repeated word for word changes nothing
      if (reply.confirmation === undefined && confirmed.confirmation)
        deps.metrics?.recordReply(confirmed.kind, confirmed.confirmation.outcome);
      res.json(replySummary(confirmed, deps.publicBaseUrl));
    },
  );

  return router;
}
