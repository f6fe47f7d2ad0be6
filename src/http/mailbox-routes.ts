import { type Request, type Response, Router } from 'express';
import { tokenMatches } from '../lib/token-hash.js';
import { AmtsboteError } from '../lib/errors.js';
import type { RoutingState } from '../routing/routing-state.js';
import type { Store } from '../store/store.js';
import { bearerToken } from './portal-auth.js';

const maxPage = 100;

/**
 * The pull mailbox: `/v1/mailbox/{destinationId}/messages`. Each destination authenticates with its own
 * token (hashes in its routing entry); a token opens only its own mailbox, and a message of another
 * destination is "not found" there.
 */
export function mailboxRoutes(deps: { store: Store; routing: RoutingState; clock: () => Date }): Router {
  const router = Router();

  const authorise = (req: Request<{ destinationId: string }>): string => {
    const token = bearerToken(req);
    if (!token)
      throw new AmtsboteError('unauthenticated', 'Send the mailbox token as "Authorization: Bearer <token>".');
    const destination = deps.routing.current().routing.destinations.find((d) => d.id === req.params.destinationId);
    if (destination?.adapter.kind !== 'mailbox' || !tokenMatches(token, destination.adapter.tokenHashes)) {
      throw new AmtsboteError('unauthenticated', 'The token does not open this mailbox.');
    }
    return destination.id;
  };

  router.get('/mailbox/:destinationId/messages', async (req: Request<{ destinationId: string }>, res: Response) => {
    const destinationId = authorise(req);
    const after = typeof req.query.after === 'string' ? req.query.after.slice(0, 100) : undefined;
    const requested = Number(typeof req.query.limit === 'string' ? req.query.limit : maxPage);
    const limit = Number.isInteger(requested) && requested > 0 ? Math.min(requested, maxPage) : maxPage;
    const messages = await deps.store.listMailbox(destinationId, after, limit);
    const last = messages.at(-1);
    res.json({ messages, next: messages.length === limit && last ? last.messageId : undefined });
  });

  router.get(
    '/mailbox/:destinationId/messages/:messageId',
    async (req: Request<{ destinationId: string; messageId: string }>, res: Response) => {
      const destinationId = authorise(req);
      const found = await deps.store.recordMailboxFetch(
        destinationId,
        req.params.messageId,
        deps.clock().toISOString(),
      );
      const message = found ? await deps.store.getSealedMessage(req.params.messageId) : undefined;
      if (!message) throw new AmtsboteError('not-found', 'No such message in this mailbox.');
      res.type(message.contentType).send(message.body);
    },
  );

  return router;
}
