import { compactVerify } from 'jose';
import { issuePointer } from '../lib/zod-issue-pointer.js';
import { OpenSealedMessageError } from './errors.js';
import { JWS_ALG, JWS_CTY, JWS_TYP, sealedMetadataSchema, type SealedMetadata } from './format.js';
import { parseHeader, refuseForbiddenMembers, splitCompact } from './lib/compact.js';
import type { PinnedKeyRing } from './pinned-jwks.js';

const PART = 'metadata';

/**
 * Verifies the gateway's compact JWS over the metadata with a pinned key and returns the metadata.
 * Only PS512; the `kid` must be one of the pinned gateway keys.
 */
export async function verifyMetadata(
  jws: string,
  pinned: PinnedKeyRing,
): Promise<{ metadata: SealedMetadata; kid: string }> {
  const { headerBytes } = splitCompact(jws, 3, PART);
  const header = parseHeader(headerBytes, PART);
  if (header.alg !== JWS_ALG)
    throw new OpenSealedMessageError(
      'algorithm-not-allowed',
      PART,
      `the signature algorithm must be ${JWS_ALG}, found ${JSON.stringify(header.alg)}`,
    );
  refuseForbiddenMembers(header, PART);
  if (header.typ !== JWS_TYP)
    throw new OpenSealedMessageError(
      'unexpected-header',
      PART,
      `JWS typ must be ${JWS_TYP}, found ${JSON.stringify(header.typ)}`,
    );
  if (header.cty !== JWS_CTY)
    throw new OpenSealedMessageError(
      'unexpected-header',
      PART,
      `JWS cty must be ${JWS_CTY}, found ${JSON.stringify(header.cty)}`,
    );
  const kid = header.kid;
  if (typeof kid !== 'string')
    throw new OpenSealedMessageError('unknown-signing-key', PART, 'the JWS header names no kid');
  const key = pinned.get(kid);
  if (!key)
    throw new OpenSealedMessageError(
      'unknown-signing-key',
      PART,
      `signed with the key "${kid}", which is not among the pinned gateway keys (${[...pinned.keys()].join(', ') || 'none'})`,
    );
  if (key instanceof Error) throw new OpenSealedMessageError('unknown-signing-key', PART, key.message);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, key, { algorithms: [JWS_ALG] }));
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
      throw new OpenSealedMessageError(
        'signature-invalid',
        PART,
        `the signature does not verify with the gateway key "${kid}"`,
        { cause: error },
      );
    }
    throw new OpenSealedMessageError('malformed-part', PART, (error as Error).message, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new OpenSealedMessageError('malformed-metadata', PART, 'the signed metadata is not JSON');
  }
  const parsed = sealedMetadataSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OpenSealedMessageError(
      'malformed-metadata',
      PART,
      issue ? `${issuePointer(issue.path) || '/'}: ${issue.message}` : 'invalid',
    );
  }
  const metadata = parsed.data;
  if (metadata.signingKid !== kid) {
    throw new OpenSealedMessageError(
      'malformed-metadata',
      PART,
      `the metadata names the signing key "${metadata.signingKid}" but the JWS was signed with "${kid}"`,
    );
  }
  const ids = new Set<string>();
  for (const a of metadata.contentStructure.attachments) {
    if (ids.has(a.attachmentId))
      throw new OpenSealedMessageError(
        'malformed-metadata',
        PART,
        `the attachment id "${a.attachmentId}" appears twice`,
      );
    ids.add(a.attachmentId);
  }
  return { metadata, kid };
}
