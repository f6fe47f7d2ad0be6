import { Router } from 'express';
import getRawBody from 'raw-body';
import { AmtsboteError } from '../lib/errors.js';
import { receiveReceipt, type ReceiptContext } from '../delivery/receive-receipt.js';

/**
 * `POST /v1/events`: receipts from specialist software as signed Security Event Tokens
 * (`application/jose`). The signature authenticates the sender: no bearer token.
 */
export function eventsRoutes(ctx: ReceiptContext): Router {
  const router = Router();
  router.post('/events', async (req, res) => {
    if (!/^application\/jose\s*(;.*)?$/i.test(req.get('content-type') ?? '')) {
      throw new AmtsboteError('unsupported-media-type', 'Send the receipt as application/jose (a compact JWS).');
    }
    const raw = await getRawBody(req, { limit: 256 * 1024, encoding: 'utf8' }).catch(() => {
      throw new AmtsboteError('payload-too-large', 'A receipt is at most 256 KiB.');
    });
    const result = await receiveReceipt(ctx, raw.trim());
    res.status(202).json(result);
  });
  return router;
}
