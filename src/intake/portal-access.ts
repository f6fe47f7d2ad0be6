import { AmtsboteError } from '../lib/errors.js';
import type { StoredPortal } from '../store/types.js';

/** A portal may submit only the services and regions (ARS prefixes) it is configured for. */
export function checkPortalAccess(portal: StoredPortal, serviceKey: string, regionKey: string): void {
  if (!portal.services.includes('*') && !portal.services.includes(serviceKey)) {
    throw new AmtsboteError('forbidden', `This portal may not submit service ${serviceKey}.`, [
      { pointer: '/serviceKey', detail: 'not allowed for this portal' },
    ]);
  }
  if (!portal.regions.some((prefix) => regionKey.startsWith(prefix))) {
    throw new AmtsboteError('forbidden', `This portal may not submit for region ${regionKey}.`, [
      { pointer: '/regionKey', detail: 'not allowed for this portal' },
    ]);
  }
}
