import { Router } from 'express';
import type { LoadedService } from '../../config/load.js';
import { ruleWithin } from '../../routing/region-scope.js';
import type { RoutingState } from '../../routing/routing-state.js';
import { serviceCatalogue } from '../../routing/service-catalogue.js';
import { currentAdmin } from './auth.js';

/**
 * The service catalogue for operators: every service with its key, name, source (FIM id and version, or
 * hand-made), standard and the destinations per region in force now. A region-limited admin sees the
 * regions within their scope only (every service, since services are configuration, not cases).
 */
export function adminServiceRoutes(deps: {
  services: () => Iterable<LoadedService>;
  routing: RoutingState;
  clock: () => Date;
}): Router {
  const router = Router();
  router.get('/services', (_req, res) => {
    const { regions: scope } = currentAdmin(res);
    const services = serviceCatalogue(deps.services(), deps.routing.current().routing, deps.clock()).map((s) => ({
      ...s,
      regions: scope ? s.regions.filter((r) => ruleWithin(r.region, scope)) : s.regions,
    }));
    res.json({ services });
  });
  return router;
}
