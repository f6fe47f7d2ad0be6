import type { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { sha512 } from '../lib/sha512.js';
import { issuePointer } from '../lib/zod-issue-pointer.js';
import { modulusBits, rsaPublicKeyFromJwk } from '../receiver/lib/rsa-jwk.js';
import type { PinnedKeyRing } from '../receiver/pinned-jwks.js';
import {
  countersignaturePayloadSchema,
  type CountersignaturePayload,
  type FetchedReply,
} from '../receiver/reply-format.js';
import { OpenReplyError } from './errors.js';
import { verifyPs512Json } from './verify-ps512.js';

const PART = 'countersignature';

/**
 * Steps 2–4 of opening a reply: the gateway's countersignature verifies with a pinned gateway key; it is over
 * this reply (ids, seq) and over exactly this `signedMetadata`; its destination key has the countersigned
 * thumbprint. Returns the payload and the destination key, with which the authority's signature must verify.
 */
export async function verifyCountersignature(
  reply: FetchedReply,
  pinned: PinnedKeyRing,
): Promise<{ payload: CountersignaturePayload; destinationKey: KeyObject }> {
  const json = await verifyPs512Json(
    reply.countersignature,
    PART,
    (kid) => {
      const key = pinned.get(kid);
      if (key === undefined)
        return `signed with the key "${kid}", which is not among the pinned gateway keys (${[...pinned.keys()].join(', ') || 'none'})`;
      return key instanceof Error ? key.message : key;
    },
    'malformed-countersignature',
  );
  const parsed = countersignaturePayloadSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OpenReplyError(
      'malformed-countersignature',
      PART,
      `${(issue && issuePointer(issue.path)) || '/'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const payload = parsed.data;
  for (const name of ['replyId', 'submissionId', 'seq', 'receivedAt'] as const) {
    if (payload[name] !== reply[name])
      throw new OpenReplyError(
        'reply-mismatch',
        PART,
        `the reply's ${name} ${JSON.stringify(reply[name])} is not the countersigned ${JSON.stringify(payload[name])}`,
      );
  }
  if (sha512(Buffer.from(reply.signedMetadata, 'utf8')) !== payload.signedMetadataSha512)
    throw new OpenReplyError(
      'signed-metadata-mismatch',
      PART,
      'the signed metadata is not the one the gateway countersigned (SHA-512 differs)',
    );
  const thumbprint = await calculateJwkThumbprint(payload.destinationKey, 'sha256');
  if (thumbprint !== payload.destinationKeyThumbprint)
    throw new OpenReplyError(
      'thumbprint-mismatch',
      PART,
      `the destination key's thumbprint is ${thumbprint}, the countersigned one ${payload.destinationKeyThumbprint}`,
    );
  let destinationKey: KeyObject;
  try {
    destinationKey = rsaPublicKeyFromJwk(payload.destinationKey);
  } catch (error) {
    throw new OpenReplyError(
      'malformed-countersignature',
      PART,
      `the destination key cannot be imported: ${(error as Error).message}`,
    );
  }
  if (modulusBits(destinationKey) < 4096)
    throw new OpenReplyError('malformed-countersignature', PART, 'the destination key has fewer than 4096 bits');
  return { payload, destinationKey };
}
