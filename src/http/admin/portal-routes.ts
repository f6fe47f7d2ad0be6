import { type Request, type Response, Router } from 'express';
import { portalSchema } from '../../config/gateway-schema.js';
import { AmtsboteError } from '../../lib/errors.js';
import { zodProblem } from '../../lib/zod-field-errors.js';
import { addPortal, rotatePortalToken } from '../../operations/portal-tokens.js';
import type { Store } from '../../store/store.js';
import { currentAdmin, requireEditor } from './auth.js';
import { ruleWithin } from '../../routing/region-scope.js';

const newPortalSchema = portalSchema.omit({ tokenHashes: true });

/** Portals under /admin/v1/portals: list, add (the token is shown once), rotate a token with overlap. */
export function adminPortalRoutes(deps: { store: Store; clock: () => Date; overlapHours: number }): Router {
  const router = Router();

  router.get('/portals', async (_req, res) => {
    const admin = currentAdmin(res);
    const portals = (await deps.store.listPortals()).filter(
      (p) => !admin.regions || p.regions.every((r) => ruleWithin(r, admin.regions ?? [])),
    );
    const now = deps.clock().getTime();
    res.json({
      portals: portals.map((p) => ({
        id: p.id,
        name: p.name,
        services: p.services,
        regions: p.regions,
        activeTokens: p.tokens.filter((t) => t.notAfter === undefined || Date.parse(t.notAfter) > now).length,
      })),
    });
  });

  router.post('/portals', async (req: Request, res: Response) => {
    const admin = requireEditor(res);
    const parsed = newPortalSchema.safeParse(req.body);
    if (!parsed.success) throw zodProblem('invalid-request', 'The portal', parsed.error);
    if (admin.regions && !parsed.data.regions.every((r) => ruleWithin(r, admin.regions ?? []))) {
      throw new AmtsboteError('forbidden', 'A portal may only be given regions within yours.', [
        { pointer: '/regions', detail: `outside ${admin.regions.join(', ')}` },
      ]);
    }
    const result = await addPortal(deps.store, parsed.data, deps.clock(), admin.id);
    res.status(201).json(result);
  });

  router.post('/portals/:id/rotate-token', async (req: Request<{ id: string }>, res: Response) => {
    const admin = requireEditor(res);
    const portal = await deps.store.getPortal(req.params.id);
    if (!portal || (admin.regions && !portal.regions.every((r) => ruleWithin(r, admin.regions ?? [])))) {
      throw new AmtsboteError('not-found', 'No such portal.');
    }
    const rotated = await rotatePortalToken(deps.store, portal.id, deps.clock(), deps.overlapHours, admin.id);
    res.json(rotated);
  });

  return router;
}
