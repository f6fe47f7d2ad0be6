import { type Request, type Response, Router } from 'express';
import { AmtsboteError } from '../lib/errors.js';
import { tokenMatches } from '../lib/token-hash.js';
import { receiveReply, type ReplyContext } from '../replies/receive-reply.js';
import { replyStatusForDestination } from '../replies/reply-views.js';
import { replyKeyJwk, submissionReplyKeys } from '../replies/submission-reply-keys.js';
import type { BodyBudget } from './body-budget.js';
import { boundedBody, readWholeBody, refuseRestOfBody, type BodyLimits } from './bounded-body.js';
import { bearerToken } from './portal-auth.js';
import type { Metrics } from '../observability/metrics.js';
import { isReplyError } from '../seal/index.js';

/**
 * The destination's side of replies (issue 24), mounted before the portal routes: `POST /v1/replies` (authenticated
 * by the destination's signature over the metadata, as receipts are), `GET /v1/replies/{replyId}` (the reply's
 * status and the portal's confirmation) and `GET /v1/messages/{messageId}/reply-key` (the portal's reply key the
 * destination encrypts to). The two reads are opened by the unguessable id the destination alone was given, and
 * a mailbox destination must also send its mailbox token, as for its messages.
 */
export function replyRoutes(
  deps: ReplyContext & { budget: BodyBudget; limits: BodyLimits; metrics?: Metrics | undefined },
): Router {
  const router = Router();

  router.post('/replies', async (req: Request, res: Response) => {
    try {
      await postReply(req, res);
    } catch (error) {
      deps.metrics?.recordReplyRefused(refusalReason(error));
      throw error;
    }
  });

  async function postReply(req: Request, res: Response): Promise<void> {
    if (!/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(req.get('content-type') ?? ''))
      throw new AmtsboteError('unsupported-media-type', 'Send the reply as application/json.');
    const declared = Number(req.get('content-length') ?? '0');
    let body: unknown;
    try {
      if (declared > deps.limits.maxBodyBytes)
        throw new AmtsboteError('payload-too-large', `A reply is at most ${deps.limits.maxBodyBytes} bytes.`, [], {
          reason: 'too-large',
        });
      const stream = await boundedBody(req, res, deps.budget, deps.limits);
      const raw = await readWholeBody(stream, declared > 0 ? declared : undefined);
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new AmtsboteError('invalid-json', 'The reply is not valid JSON.', [{ pointer: '', detail: 'not JSON' }]);
      }
    } catch (error) {
      refuseRestOfBody(req, res, error, deps.limits.maxBodyBytes);
      throw error;
    }
    const received = await receiveReply(deps, body);
    if (received.replayed) res.setHeader('Idempotent-Replayed', 'true');
    else if (deps.metrics) {
      const stored = await deps.store.getReply(received.replyId);
      if (stored) deps.metrics.recordReply(stored.kind, 'received');
    }
    res.status(202).location(received.statusUrl).json(received);
  }

  router.get('/replies/:replyId', async (req: Request<{ replyId: string }>, res: Response) => {
    const reply = await deps.store.getReply(req.params.replyId);
    if (!reply || !opens(req, reply.destinationId)) throw new AmtsboteError('not-found', 'No such reply.');
    res.json(replyStatusForDestination(reply));
  });

  router.get('/messages/:messageId/reply-key', async (req: Request<{ messageId: string }>, res: Response) => {
    const message = await deps.store.findMessage(req.params.messageId);
    const submission = message && (await deps.store.getSubmission(message.submissionId));
    if (!message || !submission || !opens(req, message.destinationId))
      throw new AmtsboteError('not-found', 'No such message.');
    const keys = await submissionReplyKeys(deps.store, submission, deps.clock());
    const key = keys[0];
    if (!key)
      throw new AmtsboteError(
        'not-found',
        'The submission carries no reply key and its portal has registered none: it cannot be answered.',
        [],
        { reason: 'unanswerable' },
      );
    let jwk;
    try {
      jwk = await replyKeyJwk(deps.sealing.resolver, key);
    } catch (error) {
      throw new AmtsboteError('unavailable', `The portal's reply key cannot be read now: ${(error as Error).message}`);
    }
    if (!jwk) throw new AmtsboteError('unavailable', "The portal's reply key is not in its key set any more.");
    res.json({ messageId: message.id, submissionId: submission.id, encryptionKey: jwk });
  });

  return router;

  /** A mailbox destination opens its replies and messages with its mailbox token; the others by the id alone. */
  function opens(req: Request, destinationId: string): boolean {
    const destination = deps.routing.current().routing.destinations.find((d) => d.id === destinationId);
    if (destination?.adapter.kind !== 'mailbox') return true;
    const token = bearerToken(req);
    return token !== undefined && tokenMatches(token, destination.adapter.tokenHashes);
  }
}

/** A bounded label for a refused reply: the reply's refusal reason, else the problem code — never its detail. */
function refusalReason(error: unknown): string {
  if (isReplyError(error)) return error.extensions.reason;
  return error instanceof AmtsboteError ? error.code : 'internal';
}
