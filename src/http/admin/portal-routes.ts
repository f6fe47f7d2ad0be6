import { type Request, type Response, Router } from 'express';
import { portalSchema } from '../../config/gateway-schema.js';
import { AmtsboteError } from '../../lib/errors.js';
import { zodProblem } from '../../lib/zod-field-errors.js';
import { addPortal, rotatePortalToken } from '../../operations/portal-tokens.js';
import { describeReplyKeys, registerReplyKey } from '../../operations/portal-reply-keys.js';
import type { KeyResolver } from '../../seal/index.js';
import type { Store } from '../../store/store.js';
import { currentAdmin, requireEditor } from './auth.js';
import { ruleWithin } from '../../routing/region-scope.js';

const newPortalSchema = portalSchema.omit({ tokenHashes: true });

/** Portals under /admin/v1/portals: list, add (the token is shown once), rotate a token with overlap. */
export function adminPortalRoutes(deps: {
  store: Store;
  clock: () => Date;
  overlapHours: number;
  /** Checks reply keys as recipients' keys are checked. */
  resolver: KeyResolver;
}): Router {
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

  /** A portal within the admin's regions, or "not found". */
  const portalInScope = async (res: Response, id: string) => {
    const admin = currentAdmin(res);
    const portal = await deps.store.getPortal(id);
    if (!portal || (admin.regions && !portal.regions.every((r) => ruleWithin(r, admin.regions ?? []))))
      throw new AmtsboteError('not-found', 'No such portal.');
    return portal;
  };

  // Reply keys (issue 24): what replies to the portal's submissions are encrypted to; rotation keeps the old one
  // for the overlap.
  router.get('/portals/:id/reply-keys', async (req: Request<{ id: string }>, res: Response) => {
    const portal = await portalInScope(res, req.params.id);
    res.json({ portalId: portal.id, replyKeys: await describeReplyKeys(deps.store, portal.id, deps.clock()) });
  });

  router.post('/portals/:id/reply-keys', async (req: Request<{ id: string }>, res: Response) => {
    const admin = requireEditor(res);
    const portal = await portalInScope(res, req.params.id);
    const registered = await registerReplyKey(
      { store: deps.store, resolver: deps.resolver },
      { portalId: portal.id, source: req.body, now: deps.clock(), overlapHours: deps.overlapHours, actor: admin.id },
    );
    res.status(201).json(registered);
  });

  return router;
}
