import { isOpenSealedMessageError } from '../../receiver/errors.js';
import { parseHeader, splitCompact } from '../../receiver/lib/compact.js';
import { replyError } from './errors.js';

const POINTER = '/signedMetadata';

/**
 * Reads the signed metadata without trusting it: which destination claims to have signed it, and with which
 * key. The gateway uses it only to find the destination's registered receipt key, then verifies everything
 * with verifyPostedReply.
 */
export function peekReplyMetadata(signedMetadata: string): { destinationId: string; kid: string } {
  let header: Record<string, unknown>;
  try {
    header = parseHeader(splitCompact(signedMetadata, 3, 'metadata').headerBytes, 'metadata');
  } catch (error) {
    if (isOpenSealedMessageError(error))
      throw replyError('malformed-part', `The signed metadata: ${error.message}.`, POINTER);
    throw error;
  }
  const kid = header.kid;
  if (typeof kid !== 'string' || kid === '')
    throw replyError('unexpected-header', 'The signed metadata names no kid.', POINTER);
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(signedMetadata.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    throw replyError('malformed-metadata', 'The signed metadata is not JSON.', POINTER);
  }
  const destinationId = (payload as { destinationId?: unknown } | null)?.destinationId;
  if (typeof destinationId !== 'string' || destinationId === '')
    throw replyError('malformed-metadata', 'The signed metadata names no destinationId.', POINTER);
  return { destinationId, kid };
}
