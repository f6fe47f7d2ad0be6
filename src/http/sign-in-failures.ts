import type { Logger } from '../lib/logger.js';
import { adminPathPattern } from './admin/path-pattern.js';
import type { Store } from '../store/store.js';

/** At most this many failed sign-ins per minute reach the audit log; the rest are counted in the next entry. */
const perMinute = 30;

/** The API a refused token was sent to. */
export type SignInSurface = 'admin' | 'portal' | 'mailbox' | 'receipts' | 'metrics';

export interface SignInFailure {
  surface: SignInSurface;
  reason: 'missing-token' | 'unknown-token';
  /** The keyed hash of the client address (rate-limits.ts), never the address. */
  client: string;
  /**
   * The admin API's path below /admin/v1; the audit keeps only its route pattern. Other surfaces have none worth
   * keeping.
   */
  path?: string | undefined;
}

/**
 * Records failed sign-ins of every API in the audit log — without the token sent or the address. Each
 * client is audited only until its sign-in bucket is empty (the caller decides); on top of that at most
 * `perMinute` entries a minute are written, so someone rotating addresses cannot flood the store either.
 * The admin API's entries keep their own action, `admin.sign-in-failed`, which the admin page names.
 */
export function signInFailureAudit(store: Store, clock: () => Date, logger: Logger) {
  let windowStart = 0;
  let recorded = 0;
  let suppressed = 0;
  return (failure: SignInFailure): void => {
    const now = clock();
    if (now.getTime() - windowStart >= 60_000) {
      windowStart = now.getTime();
      recorded = 0;
    }
    if (recorded >= perMinute) {
      suppressed++;
      return;
    }
    recorded++;
    const { surface, reason, client } = failure;
    const detail = {
      ...(surface === 'admin' ? { reason, path: adminPathPattern(failure.path ?? '') } : { surface, reason }),
      client,
      ...(suppressed > 0 ? { notRecordedBefore: suppressed } : {}),
    };
    suppressed = 0;
    const action = surface === 'admin' ? 'admin.sign-in-failed' : 'sign-in.failed';
    store.appendAudit({ at: now.toISOString(), actor: 'unknown', action, detail }).catch((error: unknown) => {
      logger.warn({ errorClass: (error as Error).name }, 'could not record a failed sign-in in the audit log');
    });
  };
}
