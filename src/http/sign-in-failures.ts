import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/store.js';

/** At most this many failed sign-ins per minute reach the audit log; the rest are counted in the next entry. */
const perMinute = 30;

/**
 * Records failed admin sign-ins in the audit log — without the token sent, the address or anything else
 * about the caller. Bounded per minute, so that someone guessing tokens cannot flood the store.
 */
export function signInFailureAudit(store: Store, clock: () => Date, logger: Logger) {
  let windowStart = 0;
  let recorded = 0;
  let suppressed = 0;
  return (reason: 'missing-token' | 'unknown-token', path: string): void => {
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
    const detail = { reason, path: path.slice(0, 100), ...(suppressed > 0 ? { notRecordedBefore: suppressed } : {}) };
    suppressed = 0;
    store.appendAudit({ at: now.toISOString(), actor: 'unknown', action: 'admin.sign-in-failed', detail }).catch((error: unknown) => {
      logger.warn({ errorClass: (error as Error).name }, 'could not record a failed sign-in in the audit log');
    });
  };
}
