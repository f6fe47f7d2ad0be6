import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha512 } from '../../../src/lib/sha512.js';
import {
  checkSubmission,
  type CheckInputs,
  type CheckResult,
  type DecryptionKeys,
} from '../../../src/sources/fitconnect/check-submission.js';
import { rejectProblems, type RejectReason } from '../../../src/sources/fitconnect/reject-problems.js';
import { importDecryptionKeys } from '../../../src/sources/fitconnect/subscriber-keys.js';
import {
  deliveryServiceSigning,
  destinationEncryption,
  destinationPreviousEncryption,
  foreignEncryption,
  gewerbeSchema,
  publicJwk,
  sampleData,
  samplePdf,
  sendAsOnlineService,
  submitSet,
  type Sent,
} from './online-service.js';

let decryptionKeys: DecryptionKeys;

beforeAll(async () => {
  decryptionKeys = await importDecryptionKeys([
    { text: JSON.stringify(destinationEncryption), origin: 'current key' },
    { text: JSON.stringify(destinationPreviousEncryption), origin: 'previous key' },
  ]);
});

const deliveryServiceJwks = new Map<string, JWK>([
  [deliveryServiceSigning.kid ?? '', publicJwk(deliveryServiceSigning)],
]);

function inputs(sent: Sent, overrides: Partial<CheckInputs> = {}): CheckInputs {
  return {
    eventLog: sent.eventLog,
    deliveryServiceKey: (kid) => Promise.resolve(deliveryServiceJwks.get(kid)),
    decryptionKeys,
    acceptedSchemas: [gewerbeSchema],
    ...overrides,
  };
}

function problemsOf(result: CheckResult): { type: string; instance: string; detail: string; title: string }[] {
  if (result.kind !== 'reject') throw new Error(`expected a reject, got ${JSON.stringify(result).slice(0, 400)}`);
  return result.problems;
}

const typeOf = (reason: RejectReason) => rejectProblems[reason].type;

describe('checkSubmission: a valid submission', () => {
  it('is valid, with the data, the attachments and the tags of the JWEs received (= the submit SET)', async () => {
    const sent = await sendAsOnlineService();
    const result = await checkSubmission(sent.submission, inputs(sent));
    if (result.kind !== 'valid') throw new Error(JSON.stringify(result));
    expect(result.data.equals(sampleData)).toBe(true);
    expect(result.metadataVersion).toBe('2.1.0');
    expect(result.dataSchema).toEqual(gewerbeSchema);
    expect(result.attachments).toEqual([
      {
        id: sent.attachmentIds[0],
        mediaType: 'application/pdf',
        purpose: 'attachment',
        filename: 'nachweis.pdf',
        content: samplePdf,
      },
    ]);
    const [attachmentId] = sent.attachmentIds;
    const jwe = sent.submission.attachments.get(attachmentId ?? '') ?? '';
    expect(result.authenticationTags).toEqual({
      metadata: sent.submission.encryptedMetadata.split('.')[4],
      data: sent.submission.encryptedData.split('.')[4],
      attachments: { [attachmentId ?? '']: jwe.split('.')[4] },
    });
    expect(result.submitSet).toBe(sent.eventLog[0]);
    const set = JSON.parse(Buffer.from(result.submitSet.split('.')[1] ?? '', 'base64url').toString()) as {
      events: Record<string, { authenticationTags: unknown }>;
    };
    expect(Object.values(set.events)[0]?.authenticationTags).toEqual(result.authenticationTags);
    expect(result.metadata).toEqual(sent.metadata);
  });

  it('takes data sent as a purpose "data" attachment with encryptedData "" (PROTOCOL.md §2)', async () => {
    const sent = await sendAsOnlineService({ dataAsAttachment: true });
    expect(sent.submission.encryptedData).toBe('');
    const result = await checkSubmission(sent.submission, inputs(sent));
    if (result.kind !== 'valid') throw new Error(JSON.stringify(result));
    expect(result.data.equals(sampleData)).toBe(true);
    expect(result.authenticationTags.data).toBe('');
    // the data's own attachment is the data, not one of the attachments passed on
    expect(result.attachments.map((a) => a.id)).toEqual(sent.attachmentIds);
    expect(Object.keys(result.authenticationTags.attachments).sort()).toEqual(
      [...sent.attachmentIds, sent.dataAttachmentId].sort(),
    );
  });

  it('decrypts with the key the JWE names: a submission to the previous key during a rotation is valid', async () => {
    const sent = await sendAsOnlineService({ encryptTo: { jwk: destinationPreviousEncryption } });
    expect((await checkSubmission(sent.submission, inputs(sent))).kind).toBe('valid');
  });

  it('takes metadata 1.0.0 (no $schema) and other 2.x versions; a destination list limits them', async () => {
    const v1 = await sendAsOnlineService({ metadataVersion: '1.0.0' });
    const v1Result = await checkSubmission(v1.submission, inputs(v1));
    expect(v1Result).toMatchObject({ kind: 'valid', metadataVersion: '1.0.0' });
    const v2 = await sendAsOnlineService({ metadataVersion: '2.0.0' });
    expect(await checkSubmission(v2.submission, inputs(v2))).toMatchObject({ kind: 'valid', metadataVersion: '2.0.0' });
    expect(
      problemsOf(await checkSubmission(v2.submission, inputs(v2, { metadataVersions: ['2.1.0'] }))).map((p) => p.type),
    ).toEqual([typeOf('metadata-version-unsupported')]);
  });
});

describe('checkSubmission: the submit-submission SET', () => {
  it('retries while the event log has no submit SET for the submission yet', async () => {
    const sent = await sendAsOnlineService({ tamper: { noSet: true } });
    expect(await checkSubmission(sent.submission, inputs(sent))).toMatchObject({ kind: 'retry' });
    // a SET of another submission in the same log does not count
    const other = await sendAsOnlineService();
    expect(await checkSubmission(sent.submission, inputs(sent, { eventLog: other.eventLog }))).toMatchObject({
      kind: 'retry',
    });
  });

  it("retries while the delivery service's key set has no key of the SET's kid, or cannot be read", async () => {
    const sent = await sendAsOnlineService();
    const unknownKid = await checkSubmission(
      sent.submission,
      inputs(sent, { deliveryServiceKey: () => Promise.resolve(undefined) }),
    );
    expect(unknownKid).toMatchObject({ kind: 'retry' });
    const unreadable = await checkSubmission(
      sent.submission,
      inputs(sent, { deliveryServiceKey: () => Promise.reject(new Error('503')) }),
    );
    expect(unreadable).toMatchObject({ kind: 'retry' });
  });

  it('rejects a SET not signed by the delivery service, or naming another case', async () => {
    const forged = await sendAsOnlineService({ tamper: { forgedSet: true } });
    const problems = problemsOf(await checkSubmission(forged.submission, inputs(forged)));
    expect(problems).toEqual([expect.objectContaining({ type: typeOf('event-log-invalid'), instance: 'submission' })]);
    expect(problems[0]?.detail).toMatch(/signature/);

    const sent = await sendAsOnlineService();
    const tags = JSON.parse(Buffer.from(sent.eventLog[0]?.split('.')[1] ?? '', 'base64url').toString()) as {
      events: Record<string, { authenticationTags: unknown }>;
    };
    const [payload] = Object.values(tags.events);
    const otherCase = await submitSet(sent.submission, payload?.authenticationTags, {
      txn: `case:${randomUUID()}`,
    });
    const [wrongCase, ...others] = problemsOf(
      await checkSubmission(sent.submission, inputs(sent, { eventLog: [otherCase] })),
    );
    expect(others).toEqual([]);
    expect(wrongCase?.type).toBe(typeOf('event-log-invalid'));
    expect(wrongCase?.detail).toMatch(/another case/);
    const noTags = await submitSet(sent.submission, undefined);
    expect(problemsOf(await checkSubmission(sent.submission, inputs(sent, { eventLog: [noTags] })))).toEqual([
      expect.objectContaining({ type: typeOf('authentication-tags-missing') }),
    ]);
  });

  it('reads a submit SET without a data tag as naming the empty placeholder', async () => {
    const tagsWithoutData = (sent: Sent) => ({
      metadata: sent.submission.encryptedMetadata.split('.')[4],
      attachments: Object.fromEntries([...sent.submission.attachments].map(([id, jwe]) => [id, jwe.split('.')[4]])),
    });
    const asAttachment = await sendAsOnlineService({ dataAsAttachment: true });
    const log = [await submitSet(asAttachment.submission, tagsWithoutData(asAttachment))];
    expect((await checkSubmission(asAttachment.submission, inputs(asAttachment, { eventLog: log }))).kind).toBe(
      'valid',
    );
    const inline = await sendAsOnlineService();
    const inlineLog = [await submitSet(inline.submission, tagsWithoutData(inline))];
    expect(problemsOf(await checkSubmission(inline.submission, inputs(inline, { eventLog: inlineLog })))).toEqual([
      expect.objectContaining({ type: typeOf('authentication-tag-mismatch'), instance: 'data' }),
    ]);
  });

  it('rejects when an authentication tag differs from the JWE received', async () => {
    const sent = await sendAsOnlineService({ tamper: { attachmentTag: true } });
    expect(problemsOf(await checkSubmission(sent.submission, inputs(sent)))).toEqual([
      expect.objectContaining({
        type: typeOf('authentication-tag-mismatch'),
        instance: `attachment:${sent.attachmentIds[0]}`,
      }),
    ]);
    // the metadata JWE exchanged on the way for another valid one, whose tag the submit SET does not name
    const other = await sendAsOnlineService();
    const unchanged = await sendAsOnlineService();
    const swapped = { ...unchanged.submission, encryptedMetadata: other.submission.encryptedMetadata };
    expect(problemsOf(await checkSubmission(swapped, inputs(unchanged)))).toEqual([
      expect.objectContaining({ type: typeOf('authentication-tag-mismatch'), instance: 'metadata' }),
    ]);
  });
});

describe('checkSubmission: decryption', () => {
  it('rejects a JWE for another key, whether its kid is unknown or names a key of the destination', async () => {
    const unknownKid = await sendAsOnlineService({ encryptTo: { jwk: foreignEncryption } });
    const problems = problemsOf(await checkSubmission(unknownKid.submission, inputs(unknownKid)));
    expect(problems.map((p) => [p.type, p.instance])).toEqual([
      [typeOf('decryption-failed'), 'metadata'],
      [typeOf('decryption-failed'), 'data'],
      [typeOf('decryption-failed'), `attachment:${unknownKid.attachmentIds[0]}`],
    ]);
    expect(problems[0]?.detail).toMatch(/does not hold/);

    const wrongKey = await sendAsOnlineService({
      encryptTo: { jwk: foreignEncryption, kid: destinationEncryption.kid ?? '' },
    });
    const wrong = problemsOf(await checkSubmission(wrongKey.submission, inputs(wrongKey)));
    expect(wrong.map((p) => p.type)).toEqual(Array(3).fill(typeOf('decryption-failed')));
    expect(wrong[0]?.detail).toMatch(/cannot be decrypted/);
  });

  it('rejects a part that is no JWE, and refuses absurd sizes before decrypting', async () => {
    const sent = await sendAsOnlineService();
    // the submit SET names the garbled part's tag, so that the check reaches decryption
    const garbled = { ...sent.submission, encryptedData: 'not.a.b.c.jwe0000000000000000000' };
    const log = [
      await submitSet(sent.submission, {
        metadata: sent.submission.encryptedMetadata.split('.')[4],
        data: 'jwe0000000000000000000',
        attachments: Object.fromEntries([...sent.submission.attachments].map(([id, jwe]) => [id, jwe.split('.')[4]])),
      }),
    ];
    expect(problemsOf(await checkSubmission(garbled, inputs(sent, { eventLog: log })))).toEqual([
      expect.objectContaining({
        type: typeOf('decryption-failed'),
        instance: 'data',
        detail: 'The data JWE is not a compact JWE.',
      }),
    ]);

    const small = await checkSubmission(sent.submission, inputs(sent, { limits: { maxAttachmentBytes: 100 } }));
    expect(problemsOf(small)).toEqual([
      expect.objectContaining({ type: typeOf('part-too-large'), instance: `attachment:${sent.attachmentIds[0]}` }),
    ]);
  });
});

describe('checkSubmission: metadata', () => {
  it('rejects metadata of an unknown version', async () => {
    const sent = await sendAsOnlineService({ metadataVersion: '3.0.0' });
    expect(problemsOf(await checkSubmission(sent.submission, inputs(sent)))).toEqual([
      expect.objectContaining({ type: typeOf('metadata-version-unsupported'), instance: 'metadata' }),
    ]);
    const notFitko = await sendAsOnlineService({
      editMetadata: (m) => {
        m.$schema = 'https://example.org/metadata.json';
      },
    });
    expect(problemsOf(await checkSubmission(notFitko.submission, inputs(notFitko)))[0]?.type).toBe(
      typeOf('metadata-version-unsupported'),
    );
  });

  it('rejects metadata invalid against the schema of its version, naming where', async () => {
    const sent = await sendAsOnlineService({
      editMetadata: (m) => {
        const structure = m.contentStructure as { attachments: { purpose: string }[] };
        if (structure.attachments[0]) structure.attachments[0].purpose = 'selfie';
      },
    });
    const [problem, ...more] = problemsOf(await checkSubmission(sent.submission, inputs(sent)));
    expect(more).toEqual([]);
    expect(problem).toMatchObject({ type: typeOf('metadata-schema-violation'), instance: 'metadata' });
    expect(problem?.detail).toMatch(/\/contentStructure\/attachments\/0\/purpose/);
    // purpose "data" exists from 2.x on only
    const v1 = await sendAsOnlineService({ metadataVersion: '1.0.0', dataAsAttachment: true });
    expect(problemsOf(await checkSubmission(v1.submission, inputs(v1)))[0]?.type).toBe(
      typeOf('metadata-schema-violation'),
    );
  });
});

describe('checkSubmission: hashes and completeness', () => {
  it('rejects a data hash that does not match', async () => {
    const sent = await sendAsOnlineService({ tamper: { dataHash: true } });
    expect(problemsOf(await checkSubmission(sent.submission, inputs(sent)))).toEqual([
      expect.objectContaining({ type: typeOf('hash-mismatch'), instance: 'data' }),
    ]);
  });

  it('rejects an attachment hash that does not match', async () => {
    const sent = await sendAsOnlineService({ tamper: { attachmentHash: true } });
    expect(problemsOf(await checkSubmission(sent.submission, inputs(sent)))).toEqual([
      expect.objectContaining({ type: typeOf('hash-mismatch'), instance: `attachment:${sent.attachmentIds[0]}` }),
    ]);
  });

  it('rejects a purpose "data" submission whose data hash is not that of empty input', async () => {
    const sent = await sendAsOnlineService({
      dataAsAttachment: true,
      editMetadata: (m) => {
        (m.contentStructure as { data: { hash: { content: string } } }).data.hash.content = sha512(sampleData);
      },
    });
    expect(problemsOf(await checkSubmission(sent.submission, inputs(sent)))).toEqual([
      expect.objectContaining({ type: typeOf('hash-mismatch'), instance: 'data' }),
    ]);
  });

  it('rejects an announced attachment that never arrived, and one the metadata do not describe', async () => {
    const sent = await sendAsOnlineService({ tamper: { missingAttachment: true } });
    expect(problemsOf(await checkSubmission(sent.submission, inputs(sent)))).toEqual([
      expect.objectContaining({
        type: typeOf('attachments-incomplete'),
        instance: `attachment:${sent.attachmentIds[0]}`,
        detail: 'The attachment is announced but was not received.',
      }),
    ]);
    const undescribed = await sendAsOnlineService({
      editMetadata: (m) => {
        (m.contentStructure as { attachments: unknown[] }).attachments = [];
      },
    });
    expect(problemsOf(await checkSubmission(undescribed.submission, inputs(undescribed)))).toEqual([
      expect.objectContaining({
        type: typeOf('attachments-incomplete'),
        instance: `attachment:${undescribed.attachmentIds[0]}`,
        detail: 'The attachment is announced but not described in the metadata.',
      }),
    ]);
  });

  it('rejects a submission with neither inline data nor a purpose "data" attachment', async () => {
    const sent = await sendAsOnlineService({
      dataAsAttachment: true,
      editMetadata: (m) => {
        const structure = m.contentStructure as { attachments: { purpose: string }[] };
        structure.attachments = structure.attachments.filter((a) => a.purpose !== 'data');
      },
    });
    const problems = problemsOf(await checkSubmission(sent.submission, inputs(sent)));
    expect(problems).toContainEqual(expect.objectContaining({ type: typeOf('data-missing'), instance: 'data' }));
    expect(problems).toContainEqual(
      expect.objectContaining({
        type: typeOf('attachments-incomplete'),
        instance: `attachment:${sent.dataAttachmentId}`,
      }),
    );
  });
});

describe('checkSubmission: the data schema', () => {
  it('rejects data of a schema the destination does not take (schemaUri and mimeType both count)', async () => {
    const sent = await sendAsOnlineService({
      dataSchema: { schemaUri: 'https://schema.example.org/hundesteuer.json', mimeType: 'application/json' },
      data: Buffer.from('{"hund":"Bello"}'),
    });
    expect(problemsOf(await checkSubmission(sent.submission, inputs(sent)))).toEqual([
      expect.objectContaining({ type: typeOf('data-schema-unsupported'), instance: 'metadata' }),
    ]);
    const xmlOnly = await sendAsOnlineService();
    const wrongMime = [{ schemaUri: gewerbeSchema.schemaUri, mimeType: 'application/json' }];
    expect(
      problemsOf(await checkSubmission(xmlOnly.submission, inputs(xmlOnly, { acceptedSchemas: wrongMime }))),
    ).toEqual([expect.objectContaining({ type: typeOf('data-schema-unsupported') })]);
  });
});
