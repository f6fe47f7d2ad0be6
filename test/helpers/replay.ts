import { adminCall } from './http.js';

/**
 * Replays dead letters the way the admin API requires: a dry run that answers a plan, then that plan's id.
 * Returns the answer of the second step (status and body), for tests whose subject is what the replay does.
 */
export async function replayByPlan(
  base: string,
  token: string,
  request: { ids?: string[]; filter?: Record<string, unknown>; reroute?: boolean; note: string },
) {
  const dry = await adminCall(base, 'POST', '/dead-letters/replay', token, { ...request, dryRun: true });
  if (dry.status !== 200) return dry;
  return adminCall(base, 'POST', '/dead-letters/replay', token, { planId: dry.body.planId });
}
