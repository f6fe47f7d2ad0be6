import { Router } from 'express';
import type { DeliveryControl } from '../../delivery/worker.js';
import { destinationsInScope } from '../../routing/region-scope.js';
import type { RoutingState } from '../../routing/routing-state.js';
import { instantMs } from '../../config/rule-validity.js';
import { berlinDay } from '../../lib/berlin-time.js';
import type { Store } from '../../store/store.js';
import { currentAdmin } from './auth.js';

/** Midnight of `now`'s day in Germany: "today" for operators, whatever the server's zone. */
export function startOfDayInGermany(now: Date): Date {
  return new Date(instantMs(berlinDay(now)));
}

/** Who is signed in, and the state of the gateway at a glance, within the admin's regions. */
export function adminOverviewRoutes(deps: {
  store: Store;
  routing: RoutingState;
  worker: DeliveryControl | undefined;
  clock: () => Date;
}): Router {
  const router = Router();

  router.get('/me', (_req, res) => {
    const admin = currentAdmin(res);
    res.json({
      id: admin.id,
      name: admin.name,
      role: admin.role,
      regions: admin.regions,
      canManageKeys: admin.role === 'editor' && !admin.regions,
    });
  });

  router.get('/overview', async (_req, res) => {
    const { regions } = currentAdmin(res);
    const now = deps.clock();
    const since = startOfDayInGermany(now);
    const [submissions, stats] = await Promise.all([
      deps.store.countSubmissionsByStatus(since.toISOString(), regions),
      deps.store.destinationStats(regions),
    ]);
    const visible = regions ? destinationsInScope(deps.routing.current().routing, regions) : undefined;
    const oldest = stats
      .map((s) => s.oldestWaitingSince)
      .filter((t): t is string => t !== undefined)
      .sort()[0];
    const breakers = deps.worker?.breakers.states() ?? {};
    res.json({
      at: now.toISOString(),
      today: { since: since.toISOString(), submissionsByStatus: submissions },
      deliveriesWaiting: stats.reduce((sum, s) => sum + s.waiting, 0),
      oldestWaitingSince: oldest,
      oldestWaitingSeconds: oldest ? Math.max(0, Math.round((now.getTime() - Date.parse(oldest)) / 1000)) : undefined,
      deadLetters: stats.reduce((sum, s) => sum + s.deadLetters, 0),
      openBreakers: Object.entries(breakers)
        .filter(([id, state]) => state !== 'closed' && (!visible || visible.has(id)))
        .map(([destinationId, state]) => ({ destinationId, state })),
    });
  });

  return router;
}
