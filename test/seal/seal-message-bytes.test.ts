import { describe, expect, it } from 'vitest';
import { openSealedMessage } from '../../src/receiver/open-sealed-message.js';
import { gatewayJwks } from '../../src/seal/gateway-keys/public-jwks.js';
import { signingKeyFor } from '../../src/seal/gateway-keys/select-key.js';
import { sealMessageToBytes } from '../../src/seal/sealed-message/seal-message-bytes.js';
import { serializeContainer } from '../../src/seal/sealed-message/serialize-container.js';
import type { SealedContainer } from '../../src/receiver/format.js';
import { demoJwk, FIXED_CLOCK, recipientKey, sampleInput, SIGNING_1, testGatewayKeys } from './fixtures.js';

// Issue 19 F4: intake seals straight into the container's bytes. They must be what serializeContainer writes
// for the same container (the stored and delivered format is unchanged), and the receiver kit opens them.
describe('sealMessageToBytes', () => {
  async function seal(overrides: Parameters<typeof sampleInput>[0] = {}) {
    const keys = await testGatewayKeys();
    return sealMessageToBytes(
      sampleInput(overrides),
      { signing: signingKeyFor(keys, SIGNING_1), recipient: await recipientKey('dresden-gewerbeamt') },
      { clock: FIXED_CLOCK },
    );
  }

  it('writes the JSON text serializeContainer writes, which the receiver kit opens to the same parts and tags', async () => {
    const input = sampleInput();
    const sealed = await seal();
    const text = sealed.body.toString('utf8');
    const container = JSON.parse(text) as SealedContainer;
    expect(serializeContainer(container)).toBe(text);
    expect(Object.keys(container.encryptedAttachments)).toEqual(['ausweis', 'vollmacht']);
    const opened = await openSealedMessage(text, {
      recipientKeys: demoJwk('dresden-gewerbeamt.encryption'),
      gatewayJwks: gatewayJwks(await testGatewayKeys()),
      expectedDestinationId: 'dresden-gewerbeamt',
    });
    expect(opened.data.toString('utf8')).toBe(input.data.content);
    expect(opened.attachments.get('vollmacht')?.content).toEqual(input.attachments[1]!.content);
    expect(opened.authenticationTags).toEqual(sealed.authenticationTags);
    expect(opened.metadata).toEqual(sealed.metadata);
  });

  it('orders attachments as JSON.stringify does (integer-like ids first) and seals a message without attachments', async () => {
    const base = sampleInput();
    const attachments = [
      { ...base.attachments[0]!, id: 'b-2' },
      { ...base.attachments[1]!, id: '7' },
    ];
    const sealed = await seal({ attachments });
    const text = sealed.body.toString('utf8');
    expect(serializeContainer(JSON.parse(text) as SealedContainer)).toBe(text);
    expect(Object.keys(sealed.authenticationTags.attachments)).toEqual(['7', 'b-2']);

    const none = await seal({ attachments: [] });
    const container = JSON.parse(none.body.toString('utf8')) as SealedContainer;
    expect(container.encryptedAttachments).toEqual({});
    expect(serializeContainer(container)).toBe(none.body.toString('utf8'));
  });
});
