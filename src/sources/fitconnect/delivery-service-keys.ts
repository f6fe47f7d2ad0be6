import type { JWK } from 'jose';
import type { Dispatcher } from 'undici';
import { send } from '../../adapters/fitconnect/http.js';
import { AmtsboteError } from '../../lib/errors.js';

/** The key set is read again after this long, and at most this often for a kid it lacks. */
const refreshMs = 5 * 60_000;
const unknownKidCooldownMs = 30_000;

/**
 * The delivery service's own signing keys (its JWKS, for the submit-submission SET), by kid: read when first
 * needed, kept for 5 minutes, read again at once for a kid it lacks (a key rotation) — but not more than every 30
 * seconds. Throws when the set cannot be read (the check then says `retry`); undefined for a kid it does not hold.
 */
export function deliveryServiceKeys(options: {
  jwksUrl: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  now: () => Date;
}): (kid: string) => Promise<JWK | undefined> {
  let cached: { keys: JWK[]; at: number } | undefined;
  const read = async () => {
    const response = await send(options.jwksUrl, {
      method: 'GET',
      headers: { accept: 'application/jwk-set+json, application/json' },
      dispatcher: options.dispatcher,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // 'unavailable': the pick-up reads it as "try again later" (submit-set.ts), never as the sender's fault.
    if (response.status !== 200)
      throw new AmtsboteError('unavailable', `the delivery service's key set answered ${response.status}`);
    const keys = parseKeys(response.text);
    if (!Array.isArray(keys)) throw new AmtsboteError('unavailable', "the delivery service's key set is no JWK Set");
    cached = { keys: keys as JWK[], at: options.now().getTime() };
    return cached.keys;
  };
  return async (kid) => {
    const now = options.now().getTime();
    let keys = cached && now - cached.at < refreshMs ? cached.keys : await read();
    let key = keys.find((k) => k.kid === kid);
    if (!key && cached && now - cached.at >= unknownKidCooldownMs) {
      keys = await read();
      key = keys.find((k) => k.kid === kid);
    }
    return key;
  };
}

function parseKeys(text: string): unknown {
  try {
    return (JSON.parse(text) as { keys?: unknown } | null)?.keys;
  } catch {
    return undefined;
  }
}
