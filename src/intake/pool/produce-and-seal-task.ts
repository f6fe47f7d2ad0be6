import type { Destination } from '../../config/routing-schema.js';
import { InternalError } from '../../lib/errors.js';
import type { GatewayEscrowKey, GatewaySigningKey, KeySource, RecipientEncryptionKey } from '../../seal/index.js';
import type { StoredPortal } from '../../store/types.js';
import type { ConfigurationSet } from '../configuration-set.js';
import type { Envelope } from '../envelope-schema.js';
import { messageFor } from '../produce-messages.js';
import type { SealedForStore } from '../seal-for-destination.js';
import { sealSubmission } from '../seal-submission.js';
import { errorFromData, type ErrorData } from './errors-as-data.js';

/** A recipient's key as the main thread resolved it (network and caches live there), or why it could not. */
export type ResolvedRecipientKey = { key: RecipientEncryptionKey } | { error: ErrorData };

/** The keys a submission is sealed with, chosen on the main thread: the store says which gateway keys are active. */
export interface SealingKeys {
  signing: GatewaySigningKey;
  /** Only the public half: an escrow copy is encrypted to it, never opened here. */
  escrow: Pick<GatewayEscrowKey, 'kid' | 'publicKey'>;
  /** By `recipientKeyId` of the destination's key source. */
  recipients: ReadonlyMap<string, ResolvedRecipientKey>;
}

export interface ProduceAndSealInput {
  envelope: Envelope;
  /** Validated, normalised data (validate-task.ts). */
  data: Record<string, unknown>;
  /** Attachment contents by envelope id. */
  contents: ReadonlyMap<string, Buffer>;
  submissionId: string;
  createdAt: Date;
  portal: StoredPortal;
  productVersion: string;
  targets: {
    deliveryId: string;
    destination: Destination;
    /** The schema a FIT-Connect destination offers for the data (fitconnect-offer.ts, asked on the main thread). */
    submissionSchema?: { schemaUri: string } | undefined;
  }[];
  keys: SealingKeys;
}

export interface SealedSubmission {
  messages: SealedForStore[];
  escrow: { escrowKid: string; body: Buffer };
}

/** Which resolved key belongs to a key source: the source's JSON (the same destination gives the same text). */
export function recipientKeyId(source: KeySource): string {
  return JSON.stringify(source);
}

/**
 * Every destination's message produced (mapping, XSD validation) and sealed (encryption, signature), and the
 * escrow copy — in the order and with the errors of the in-request pipeline: all messages are produced before
 * the first is sealed. CPU work only, so it runs on a pool thread as well as in-process.
 */
export async function produceAndSeal(set: ConfigurationSet, input: ProduceAndSealInput): Promise<SealedSubmission> {
  const { envelope, data, contents, submissionId, createdAt, keys } = input;
  const messageInput = {
    config: set.config,
    xoev: set.xoev,
    productVersion: input.productVersion,
    envelope,
    data,
    submissionId,
    createdAt,
    portal: input.portal,
    contents,
  };
  const produced = await Promise.all(input.targets.map((t) => messageFor(messageInput, t.destination, t.deliveryId)));
  return sealSubmission({
    config: set.config,
    sealing: {
      signing: () => keys.signing,
      escrow: () => keys.escrow,
      resolver: {
        encryptionKey: (source) => {
          const resolved = keys.recipients.get(recipientKeyId(source));
          // The main thread resolves every target's key before the task starts: a missing one is a bug here.
          if (!resolved) return Promise.reject(new InternalError());
          return 'key' in resolved ? Promise.resolve(resolved.key) : Promise.reject(errorFromData(resolved.error));
        },
      },
    },
    envelope,
    data,
    contents,
    submissionId,
    receivedAt: createdAt,
    targets: input.targets.map((t, i) => ({ ...t, produced: produced[i] })),
  });
}
