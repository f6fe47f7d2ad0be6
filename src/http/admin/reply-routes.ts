import { Router } from 'express';
import { ruleWithin } from '../../routing/region-scope.js';
import type { Store } from '../../store/store.js';
import { currentAdmin } from './auth.js';

/**
 * `GET /admin/v1/replies/undelivered`: replies the portal has not fetched within `replyPickupDays` (issue 24), for
 * the operator to follow up — ids, kinds and times only, never content.
 */
export function adminReplyRoutes(deps: {
  store: Pick<Store, 'listUndeliveredReplies'>;
  clock: () => Date;
  pickupDays: number;
}): Router {
  const router = Router();
  router.get('/replies/undelivered', async (_req, res) => {
    const admin = currentAdmin(res);
    const before = new Date(deps.clock().getTime() - deps.pickupDays * 86_400_000).toISOString();
    const replies = (await deps.store.listUndeliveredReplies(before, 500)).filter(
      (r) => !admin.regions || ruleWithin(r.regionKey, admin.regions),
    );
    res.json({ pickupDays: deps.pickupDays, replies });
  });
  return router;
}
