import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { AmtsboteError } from '../../lib/errors.js';
import type { KeyRing } from '../../seal/index.js';
import { zodProblem } from '../../lib/zod-field-errors.js';
import { listGatewayKeys, retireGatewayKey, rotateGatewayKey } from '../../operations/gateway-keys.js';
import type { Store } from '../../store/store.js';
import { requireEditor } from './auth.js';

const noteSchema = z.string().trim().min(3, 'say why (kept in the audit log)').max(500);
const activateSchema = z.strictObject({ note: noteSchema });
const retireSchema = z.strictObject({ note: noteSchema, force: z.boolean().default(false) });

/** The gateway's keys under /admin/v1/keys: list, activate a configured key, retire one. */
export function adminKeyRoutes(deps: { store: Store; sealing: KeyRing; clock: () => Date }): Router {
  const router = Router();

  /** Keys serve every region: only editors without a region limit change them. */
  const requireKeyManager = (res: Response) => {
    const admin = requireEditor(res);
    if (admin.regions)
      throw new AmtsboteError(
        'forbidden',
        'Gateway keys serve every region: this needs an editor without a region limit.',
      );
    return admin;
  };

  const parse = <T>(schema: z.ZodType<T>, body: unknown): T => {
    const parsed = schema.safeParse(body ?? {});
    if (!parsed.success) throw zodProblem('invalid-request', 'The request body', parsed.error);
    return parsed.data;
  };

  const answer = async (res: Response) => {
    await deps.sealing.refresh();
    res.json({ keys: await listGatewayKeys(deps.store, deps.sealing.keys) });
  };

  router.get('/keys', async (_req, res) => {
    res.json({ keys: await listGatewayKeys(deps.store, deps.sealing.keys) });
  });

  router.post('/keys/:kid/activate', async (req: Request<{ kid: string }>, res: Response) => {
    const admin = requireKeyManager(res);
    const { note } = parse(activateSchema, req.body);
    await rotateGatewayKey({
      store: deps.store,
      keys: deps.sealing.keys,
      kid: req.params.kid,
      actor: admin.id,
      now: deps.clock(),
      note,
    });
    await answer(res);
  });

  router.post('/keys/:kid/retire', async (req: Request<{ kid: string }>, res: Response) => {
    const admin = requireKeyManager(res);
    const { note, force } = parse(retireSchema, req.body);
    await retireGatewayKey({ store: deps.store, kid: req.params.kid, actor: admin.id, now: deps.clock(), force, note });
    await answer(res);
  });

  return router;
}
