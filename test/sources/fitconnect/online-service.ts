import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactEncrypt, CompactSign, type JWK } from 'jose';
import { sha512 } from '../../../src/lib/sha512.js';
import type { FetchedSubmission } from '../../../src/sources/fitconnect/check-submission.js';
import { projectRoot } from '../../helpers/paths.js';

/**
 * A sender ("online service built elsewhere") and a delivery service, as far as the checks see them: a FIT-Connect
 * submission encrypted with jose to the destination's key, and the delivery service's signed submit-submission SET,
 * with switches for every bad input of issue 23. Keys are the committed DEVELOPMENT-ONLY test keys.
 */

export function fixtureJwk(name: string): JWK {
  const file = join(projectRoot, `test/fixtures/keys/${name}.private-jwk.DEVELOPMENT-ONLY.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as JWK;
}

export const publicJwk = (jwk: JWK): JWK => ({ kty: jwk.kty, n: jwk.n, e: jwk.e, kid: jwk.kid });
const keyObject = (jwk: JWK): KeyObject => createPrivateKey({ key: jwk as never, format: 'jwk' });

/** The destination's current and previous encryption keys (rotation), and a key the destination does not hold. */
export const destinationEncryption = fixtureJwk('recipient-encryption'); // kid test-recipient-enc-1
export const destinationPreviousEncryption = fixtureJwk('gateway-escrow-2'); // kid test-gateway-escrow-2
export const foreignEncryption = fixtureJwk('gateway-escrow-1'); // kid test-gateway-escrow-1
/** The destination's SET signing key. */
export const destinationSigning = fixtureJwk('recipient-receipt-signing'); // kid test-recipient-sig-1
/** The delivery service's SET signing key, and another one to forge with. */
export const deliveryServiceSigning = fixtureJwk('gateway-signing-2'); // kid test-gateway-sig-2
export const forgerSigning = fixtureJwk('gateway-signing-1');

export const deliveryServiceUrl = 'https://submission-api-testing.fit-connect.fitko.dev';
export const gewerbeSchema = {
  schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
  mimeType: 'application/xml',
};
const submitEvent = 'https://schema.fitko.de/fit-connect/events/submit-submission';

export interface OnlineAttachment {
  content: Buffer;
  mimeType: string;
  purpose: 'form' | 'attachment' | 'report';
  filename?: string;
}

export interface SendOptions {
  metadataVersion?: string;
  data?: Buffer;
  dataSchema?: { schemaUri: string; mimeType: string };
  attachments?: OnlineAttachment[];
  /** Send the data as a `purpose: data` attachment with `encryptedData: ''` (PROTOCOL.md §2). */
  dataAsAttachment?: boolean;
  /** Encrypt to this key instead of the destination's current one; `kid` overrides the header's kid. */
  encryptTo?: { jwk: JWK; kid?: string };
  /** Change the metadata after it was built (invalid metadata). */
  editMetadata?: (metadata: Record<string, unknown>) => void;
  tamper?: {
    dataHash?: boolean;
    attachmentHash?: boolean;
    /** The submit SET's tag of the first attachment differs from the JWE received. */
    attachmentTag?: boolean;
    /** The first attachment is announced and described but was never uploaded. */
    missingAttachment?: boolean;
    /** The submit SET is signed by another key under the delivery service's kid. */
    forgedSet?: boolean;
    /** No submit SET in the event log (yet). */
    noSet?: boolean;
  };
}

export interface Sent {
  submission: FetchedSubmission;
  eventLog: string[];
  metadata: Record<string, unknown>;
  data: Buffer;
  attachmentIds: string[];
  dataAttachmentId?: string;
}

export const sampleData = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?><gewerbeanzeige>Anmeldung</gewerbeanzeige>',
);
export const samplePdf = Buffer.from('%PDF-1.4 Gewerbeanmeldung Nachweis');

async function encrypt(plaintext: Buffer, cty: string, to: { jwk: JWK; kid?: string }): Promise<string> {
  return new CompactEncrypt(plaintext)
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: to.kid ?? to.jwk.kid ?? '', cty })
    .encrypt(createPublicKey({ key: to.jwk as never, format: 'jwk' }));
}

const tagOf = (jwe: string) => jwe.slice(jwe.lastIndexOf('.') + 1);
const hash = (content: Uint8Array) => ({ type: 'sha512', content: sha512(content) });

/** A submit-submission SET as the delivery service writes it. */
export async function submitSet(
  ids: { submissionId: string; caseId: string },
  tags: unknown,
  options: { signWith?: JWK; kid?: string; iat?: number; iss?: string; txn?: string } = {},
): Promise<string> {
  const claims = {
    $schema: 'https://schema.fitko.de/fit-connect/set-payload/1.2.2/set-payload.schema.json',
    jti: randomUUID(),
    iss: options.iss ?? deliveryServiceUrl,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    sub: `submission:${ids.submissionId}`,
    txn: options.txn ?? `case:${ids.caseId}`,
    events: { [submitEvent]: { authenticationTags: tags } },
  };
  return new CompactSign(Buffer.from(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'PS512', typ: 'secevent+jwt', kid: options.kid ?? deliveryServiceSigning.kid ?? '' })
    .sign(keyObject(options.signWith ?? deliveryServiceSigning));
}

/** Builds, encrypts and "submits" one submission; returns what the subscriber fetches and the case's event log. */
export async function sendAsOnlineService(options: SendOptions = {}): Promise<Sent> {
  const submissionId = randomUUID();
  const caseId = randomUUID();
  const data = options.data ?? sampleData;
  const dataSchema = options.dataSchema ?? gewerbeSchema;
  const attachments = options.attachments ?? [
    { content: samplePdf, mimeType: 'application/pdf', purpose: 'attachment', filename: 'nachweis.pdf' },
  ];
  const version = options.metadataVersion ?? '2.1.0';
  const to = options.encryptTo ?? { jwk: destinationEncryption };
  const tamper = options.tamper ?? {};

  const attachmentIds = attachments.map(() => randomUUID());
  const dataAttachmentId = options.dataAsAttachment === true ? randomUUID() : undefined;
  const described: Record<string, unknown>[] = attachments.map((a, i) => ({
    attachmentId: attachmentIds[i],
    hash: hash(tamper.attachmentHash === true && i === 0 ? Buffer.from('something else') : a.content),
    purpose: a.purpose,
    mimeType: a.mimeType,
    ...(a.filename === undefined ? {} : { filename: a.filename }),
  }));
  if (dataAttachmentId !== undefined)
    described.push({
      attachmentId: dataAttachmentId,
      hash: hash(data),
      purpose: 'data',
      mimeType: dataSchema.mimeType,
    });
  const dataHashOf = dataAttachmentId === undefined ? data : Buffer.alloc(0);
  const metadata: Record<string, unknown> = {
    ...(version === '1.0.0'
      ? {}
      : { $schema: `https://schema.fitko.de/fit-connect/metadata/${version}/metadata.schema.json` }),
    contentStructure: {
      data: {
        hash: hash(tamper.dataHash === true ? Buffer.from('other data') : dataHashOf),
        submissionSchema: dataSchema,
      },
      attachments: described,
    },
    additionalReferenceInfo: { applicationDate: '2026-12-07' },
  };
  options.editMetadata?.(metadata);

  const encryptedMetadata = await encrypt(Buffer.from(JSON.stringify(metadata)), 'application/json', to);
  const encryptedData = dataAttachmentId === undefined ? await encrypt(data, dataSchema.mimeType, to) : '';
  const uploaded = new Map<string, string>();
  for (const [i, a] of attachments.entries())
    if (!(tamper.missingAttachment === true && i === 0))
      uploaded.set(attachmentIds[i] ?? '', await encrypt(a.content, a.mimeType, to));
  if (dataAttachmentId !== undefined) uploaded.set(dataAttachmentId, await encrypt(data, dataSchema.mimeType, to));

  const tags = {
    metadata: tagOf(encryptedMetadata),
    data: encryptedData === '' ? '' : tagOf(encryptedData),
    attachments: Object.fromEntries(
      [...uploaded].map(([id, jwe], i) => [
        id,
        tamper.attachmentTag === true && i === 0 ? 'AAAAAAAAAAAAAAAAAAAAAA' : tagOf(jwe),
      ]),
    ),
  };
  const ids = { submissionId, caseId };
  const eventLog =
    tamper.noSet === true
      ? []
      : [await submitSet(ids, tags, tamper.forgedSet === true ? { signWith: forgerSigning } : {})];
  const announced = [...attachmentIds, ...(dataAttachmentId === undefined ? [] : [dataAttachmentId])];
  return {
    submission: {
      submissionId,
      caseId,
      destinationId: '0c438057-ec3e-4ce0-b154-1683b5d3c2e8',
      encryptedMetadata,
      encryptedData,
      attachments: uploaded,
      announcedAttachments: announced,
    },
    eventLog,
    metadata,
    data,
    attachmentIds,
    ...(dataAttachmentId === undefined ? {} : { dataAttachmentId }),
  };
}
