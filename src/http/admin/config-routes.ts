import { Router } from 'express';
import { AmtsboteError } from '../../lib/errors.js';
import { currentAdmin, requireEditor } from './auth.js';

/**
 * POST /admin/v1/config/reload: reads services, mappings, code lists and schema profiles again and swaps
 * them in, or answers 422 `config-rejected` naming file and pointer while the running set stays. Each
 * instance reloads itself: call it on every instance (their /health/ready hashes then agree).
 */
export interface ReloadOutcome {
  configHash: string;
  previousConfigHash: string;
  services: number;
  mappings: number;
}

/** What the route needs of the gateway's reload: the reload itself, nothing of how it is wired. */
export interface Reload {
  reload(): Promise<ReloadOutcome>;
}

export function adminConfigRoutes(reloader: Reload): Router {
  const router = Router();
  router.post('/config/reload', async (_req, res) => {
    requireEditor(res);
    // The configuration serves every region: an editor limited to some regions may not replace it.
    if (currentAdmin(res).regions)
      throw new AmtsboteError('forbidden', 'Reloading the configuration needs an editor for all regions.');
    res.json(await reloader.reload());
  });
  return router;
}
