import { canonicalize } from 'json-canonicalize';
import type { Envelope } from './envelope-schema.js';
import type { KeyedHash } from '../lib/keyed-hash.js';
import { sha512 } from '../lib/sha512.js';

/**
 * The content an idempotency key is bound to: the RFC 8785 form of the envelope with each
 * attachment's content replaced by its SHA-512, so JSON and multipart of the same submission
 * (and any boundary or key order) give the same fingerprint.
 */
export function contentFingerprint(envelope: Envelope, contents: ReadonlyMap<string, Buffer>, hash: KeyedHash): string {
  const attachments = envelope.attachments?.map(({ content: _content, ...rest }) => ({
    ...rest,
    sha512: sha512(contents.get(rest.id) ?? Buffer.alloc(0), 'base64url'),
  }));
  return hash(canonicalize({ ...envelope, attachments }));
}
