import { Router } from 'express';
import getRawBody from 'raw-body';
import { AmtsboteError } from '../lib/errors.js';
import { verifyCallback } from '../sources/fitconnect/callback-signature.js';

/** A new-submissions callback is a short list of ids. */
const maxCallbackBytes = 64 * 1024;

export interface FitConnectCallbackDeps {
  /** The destination's callback secret (read from its reference), or undefined when it takes no callbacks. */
  secretOf(destinationId: string): string | undefined;
  /** A verified callback: pick up now. Nothing is fetched for one that fails verification. */
  nudge(destinationId: string): void;
  clock: () => Date;
}

/**
 * `POST /fitconnect/callbacks/:destinationId`: FIT-Connect announces new submissions for a destination this
 * gateway subscribes to (PROTOCOL.md §4). Verified with the destination's secret (hex HMAC-SHA512 over
 * `timestamp.body`, the timestamp within 5 minutes); a forged or stale one is a 401 and changes nothing. A valid
 * one only makes the pick-up start at once: what it lists is fetched from the Submission API, never trusted.
 */
export function fitConnectCallbackRoutes(deps: FitConnectCallbackDeps): Router {
  const router = Router();
  router.post('/fitconnect/callbacks/:destinationId', async (req, res) => {
    const destinationId = req.params.destinationId.toLowerCase();
    const secret = deps.secretOf(destinationId);
    if (secret === undefined)
      throw new AmtsboteError('not-found', 'No FIT-Connect destination here takes callbacks under this id.');
    const body = await getRawBody(req, { limit: maxCallbackBytes, encoding: 'utf8' }).catch(() => {
      throw new AmtsboteError('payload-too-large', 'A FIT-Connect callback is at most 64 KiB.');
    });
    const verdict = verifyCallback({
      secret,
      authentication: req.get('callback-authentication'),
      timestamp: req.get('callback-timestamp'),
      body,
      now: deps.clock(),
    });
    if (!verdict.ok)
      throw new AmtsboteError('unauthenticated', "The callback is not signed with this destination's secret.", [], {
        reason: verdict.reason,
      });
    try {
      JSON.parse(body);
    } catch {
      throw new AmtsboteError('invalid-json', 'The callback body is not JSON.');
    }
    deps.nudge(destinationId);
    res.status(202).end();
  });
  return router;
}
