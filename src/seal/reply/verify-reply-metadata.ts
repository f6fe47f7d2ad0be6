import type { KeyObject } from 'node:crypto';
import { compactVerify } from 'jose';
import { joinPointer } from '../../lib/errors.js';
import { sha512 } from '../../lib/sha512.js';
import { issuePointer } from '../../lib/zod-issue-pointer.js';
import { isOpenSealedMessageError } from '../../receiver/errors.js';
import { JWE_ALG, JWE_ENC, JWS_ALG, JWS_CTY, JWS_TYP } from '../../receiver/format.js';
import { parseHeader, refuseForbiddenMembers, splitCompact } from '../../receiver/lib/compact.js';
import { replyMetadataSchema, type PostedReply, type ReplyMetadata } from '../../receiver/reply-format.js';
import { replyError } from './errors.js';

export interface VerifyReplyOptions {
  /** The destination's registered receipt key: the JWS `kid` must be its kid, and it must verify. */
  receiptKey: { kid: string; key: KeyObject };
  /**
   * The kids of the submission's current reply keys (the envelope's own key, else the portal's registered
   * keys in their overlap window). `encryptionKid` and every JWE's `kid` must be one of them.
   */
  replyKeyKids: readonly string[];
}

export interface VerifiedReply {
  metadata: ReplyMetadata;
  /** The kid of the receipt key that verified the metadata. */
  signingKid: string;
}

const METADATA = '/signedMetadata';

/**
 * What the gateway checks of a posted reply without decrypting it: the destination's PS512 signature over the
 * metadata (with its registered receipt key), the metadata's shape, and of every part its JWE header
 * (`alg`, `enc`, `kid` = `encryptionKid` = a current reply key, `cty` = the signed media type) and its
 * `jweSha512`; and that the posted attachments are exactly the signed ones. That the destination received the
 * message, and the limits, are the caller's (they need the store and the configuration).
 */
export async function verifyPostedReply(reply: PostedReply, options: VerifyReplyOptions): Promise<VerifiedReply> {
  const metadata = await verifySignedMetadata(reply.signedMetadata, options.receiptKey);
  if (!options.replyKeyKids.includes(metadata.encryptionKid)) {
    throw replyError(
      'unknown-encryption-key',
      `The reply is encrypted to the key "${metadata.encryptionKid}", which is not a current reply key of the submission.`,
      METADATA,
    );
  }
  checkAttachmentSet(reply, metadata);
  checkPart(reply.encryptedData, '/encryptedData', metadata.encryptionKid, metadata.data);
  for (const entry of metadata.attachments) {
    const jwe = reply.encryptedAttachments[entry.id] ?? '';
    checkPart(jwe, joinPointer('encryptedAttachments', entry.id), metadata.encryptionKid, entry);
  }
  return { metadata, signingKid: options.receiptKey.kid };
}

async function verifySignedMetadata(jws: string, receiptKey: { kid: string; key: KeyObject }): Promise<ReplyMetadata> {
  const header = readHeader(jws, 3, METADATA);
  if (header.alg !== JWS_ALG)
    throw replyError('algorithm-not-allowed', `The signed metadata must be signed with ${JWS_ALG}.`, METADATA);
  refuseForbidden(header, METADATA);
  if (header.typ !== JWS_TYP || header.cty !== JWS_CTY)
    throw replyError(
      'unexpected-header',
      `The signed metadata's header must have typ "${JWS_TYP}" and cty "${JWS_CTY}".`,
      METADATA,
    );
  if (header.kid !== receiptKey.kid)
    throw replyError(
      'unknown-signing-key',
      `The signed metadata names the key ${JSON.stringify(header.kid)}, not the destination's receipt key "${receiptKey.kid}".`,
      METADATA,
    );
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, receiptKey.key, { algorithms: [JWS_ALG] }));
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
      throw replyError(
        'signature-invalid',
        `The signed metadata does not verify with the destination's receipt key "${receiptKey.kid}".`,
        METADATA,
      );
    throw replyError('malformed-part', 'The signed metadata cannot be verified.', METADATA);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw replyError('malformed-metadata', 'The signed metadata is not JSON.', METADATA);
  }
  const parsed = replyMetadataSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw replyError(
      'malformed-metadata',
      `The signed metadata is invalid at ${(issue && issuePointer(issue.path)) || '/'}: ${issue?.message ?? 'invalid'}.`,
      METADATA,
    );
  }
  const ids = new Set<string>();
  for (const entry of parsed.data.attachments) {
    if (ids.has(entry.id))
      throw replyError('malformed-metadata', `The signed metadata lists the attachment "${entry.id}" twice.`, METADATA);
    ids.add(entry.id);
  }
  return parsed.data;
}

function checkAttachmentSet(reply: PostedReply, metadata: ReplyMetadata): void {
  const signed = new Set(metadata.attachments.map((a) => a.id));
  const posted = Object.keys(reply.encryptedAttachments);
  const missing = [...signed].filter((id) => !posted.includes(id));
  const extra = posted.filter((id) => !signed.has(id));
  if (missing.length > 0 || extra.length > 0) {
    const what = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      extra.length > 0 ? `not signed ${extra.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    throw replyError(
      'attachment-set-mismatch',
      `The posted attachments are not the signed ones (${what}).`,
      '/encryptedAttachments',
    );
  }
}

function checkPart(
  jwe: string,
  pointer: string,
  encryptionKid: string,
  entry: { mediaType: string; jweSha512: string },
): void {
  const header = readHeader(jwe, 5, pointer);
  refuseForbidden(header, pointer);
  if (header.alg !== JWE_ALG || header.enc !== JWE_ENC)
    throw replyError('unexpected-header', `The part must be encrypted with ${JWE_ALG} and ${JWE_ENC}.`, pointer);
  if (header.kid !== encryptionKid)
    throw replyError(
      'unknown-encryption-key',
      `The part is encrypted to ${JSON.stringify(header.kid)}, not to the signed encryptionKid "${encryptionKid}".`,
      pointer,
    );
  if (header.cty !== entry.mediaType)
    throw replyError(
      'content-type-mismatch',
      `The part's cty ${JSON.stringify(header.cty)} is not the signed media type "${entry.mediaType}".`,
      pointer,
    );
  if (sha512(Buffer.from(jwe, 'ascii')) !== entry.jweSha512)
    throw replyError('jwe-hash-mismatch', "The part's SHA-512 differs from the signed jweSha512.", pointer);
}

function readHeader(token: string, segments: 3 | 5, pointer: string): Record<string, unknown> {
  try {
    return parseHeader(splitCompact(token, segments, pointer).headerBytes, pointer);
  } catch (error) {
    if (isOpenSealedMessageError(error)) throw replyError('malformed-part', `${pointer}: ${error.message}.`, pointer);
    throw error;
  }
}

function refuseForbidden(header: Record<string, unknown>, pointer: string): void {
  try {
    refuseForbiddenMembers(header, pointer);
  } catch (error) {
    if (isOpenSealedMessageError(error))
      throw replyError('unexpected-header', `${pointer}: ${error.message}.`, pointer);
    throw error;
  }
}
