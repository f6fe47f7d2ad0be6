import { decodeJwt, decodeProtectedHeader } from 'jose';

const acceptEvent = 'https://schema.fitko.de/fit-connect/events/accept-submission';
const rejectEvent = 'https://schema.fitko.de/fit-connect/events/reject-submission';

/**
 * Whether the case's event log already holds our own accept or reject of this submission (a SET issued by the
 * destination), read without verifying: it only spares posting a second one after a crash between posting and
 * recording it. The delivery service verified it when it took it.
 */
export function ourDecision(
  eventLog: readonly string[],
  destinationId: string,
  submissionId: string,
): 'accepted' | 'rejected' | undefined {
  for (const entry of eventLog) {
    try {
      if (decodeProtectedHeader(entry).typ !== 'secevent+jwt') continue;
      const claims = decodeJwt(entry);
      if (claims.iss !== destinationId || claims.sub !== `submission:${submissionId}`) continue;
      const events = Object.keys(claims.events ?? {});
      if (events.includes(acceptEvent)) return 'accepted';
      if (events.includes(rejectEvent)) return 'rejected';
    } catch {
      // not a SET we can read: not ours
    }
  }
  return undefined;
}
