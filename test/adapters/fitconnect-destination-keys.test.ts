import { describe, expect, it } from 'vitest';
import { destinationKeyProvider } from '../../src/adapters/fitconnect/destination-keys.js';
import type { Api } from '../../src/adapters/fitconnect/client.js';
import type { DestinationInfo } from '../../src/adapters/fitconnect/destination-info.js';
import { createKeyResolver } from '../../src/seal/index.js';
import { fixtureJwk, publicJwk } from '../seal/fixtures.js';

const encryptionA = publicJwk({ ...fixtureJwk('recipient-encryption'), kid: 'enc-key-a' }, { key_ops: ['wrapKey'] });
const encryptionB = publicJwk({ ...fixtureJwk('gateway-escrow-1'), kid: 'enc-key-b' }, { key_ops: ['wrapKey'] });
const verify = publicJwk(fixtureJwk('recipient-receipt-signing'), { key_ops: ['verify'] });

/** A scripted destination: its info, its keys by kid, every key request it saw, and a switch to fail them. */
function fakeDestination() {
  const fake = {
    encryptionKid: 'enc-key-a' as string | undefined,
    keys: new Map<string, Record<string, unknown>>([
      ['enc-key-a', encryptionA],
      ['enc-key-b', encryptionB],
      [String(verify.kid), verify],
    ]),
    keyRequests: [] as string[],
    down: false,
    clock: 0,
  };
  const api: Api = (_method, path) => {
    const kid = decodeURIComponent(/\/keys\/(.+)$/.exec(path)?.[1] ?? '');
    fake.keyRequests.push(kid);
    if (fake.down) return Promise.resolve({ status: 503, headers: {}, text: '{}' });
    const jwk = fake.keys.get(kid);
    return Promise.resolve(
      jwk ? { status: 200, headers: {}, text: JSON.stringify(jwk) } : { status: 404, headers: {}, text: '{}' },
    );
  };
  const info = (): Promise<DestinationInfo> =>
    Promise.resolve({
      status: 'active',
      encryptionKid: fake.encryptionKid,
      metadataVersions: undefined,
      publicServices: undefined,
    });
  const provider = destinationKeyProvider(
    { destinationId: 'd3f0c3b8-1c9a-4c55-9a39-2f1d3c4b5a60', api, info },
    { now: () => fake.clock, refreshMs: 60_000, minRefetchMs: 30_000, unknownKidIntervalMs: 1000, timeoutMs: 1000 },
  );
  return { fake, provider };
}

describe("a FIT-Connect destination's keys, as the Submission API hands them out", () => {
  it('seals to the key the destination names as encryptionKid, also with two encryption keys published', async () => {
    const { fake, provider } = fakeDestination();
    expect((await provider.encryptionJwk()).kid).toBe('enc-key-a');
    fake.encryptionKid = 'enc-key-b';
    // a kid the cache does not hold is fetched at once
    expect((await provider.encryptionJwk()).kid).toBe('enc-key-b');
    expect(fake.keyRequests).toEqual(['enc-key-a', 'enc-key-b']);
    fake.encryptionKid = 'enc-key-a';
    expect((await provider.encryptionJwk()).kid).toBe('enc-key-a');
    expect(fake.keyRequests).toHaveLength(2);
  });

  it('chooses the verify key by the receipt kid', async () => {
    const { provider } = fakeDestination();
    expect((await provider.receiptJwk(String(verify.kid))).n).toBe(verify.n);
  });

  it('keeps the cached key when a background refresh fails, and takes a new one once the service answers', async () => {
    const { fake, provider } = fakeDestination();
    await provider.encryptionJwk();
    fake.clock = 61_000;
    fake.down = true;
    expect((await provider.encryptionJwk()).kid).toBe('enc-key-a');
    await Promise.resolve();
    expect(fake.keyRequests).toEqual(['enc-key-a', 'enc-key-a']);
    // after the failure, no refresh before minRefetchMs
    fake.clock = 70_000;
    expect((await provider.encryptionJwk()).kid).toBe('enc-key-a');
    expect(fake.keyRequests).toHaveLength(2);
  });

  it('refetches an unknown kid only rate-limited: a miss is not asked again within minRefetchMs, new kids at most once a second', async () => {
    const { fake, provider } = fakeDestination();
    await expect(provider.receiptJwk('made-up-kid-1')).rejects.toMatchObject({
      extensions: { reason: 'kid-not-found' },
    });
    await expect(provider.receiptJwk('made-up-kid-1')).rejects.toMatchObject({
      extensions: { reason: 'kid-not-found' },
    });
    expect(fake.keyRequests).toEqual(['made-up-kid-1']);
    // another unknown kid within the second: refused without asking the service
    await expect(provider.receiptJwk('made-up-kid-2')).rejects.toMatchObject({
      reason: 'fitconnect-key-refetch-limited',
    });
    expect(fake.keyRequests).toEqual(['made-up-kid-1']);
    // a key the destination has just added is found once the limits allow
    fake.keys.set('new-verify-key', { ...verify, kid: 'new-verify-key' });
    fake.clock = 1500;
    expect((await provider.receiptJwk('new-verify-key')).kid).toBe('new-verify-key');
    fake.clock = 31_000;
    fake.keys.set('made-up-kid-1', { ...verify, kid: 'made-up-kid-1' });
    expect((await provider.receiptJwk('made-up-kid-1')).kid).toBe('made-up-kid-1');
    // a kid that cannot be a FIT-Connect key id is never sent
    await expect(provider.receiptJwk('../../tokens')).rejects.toMatchObject({
      extensions: { reason: 'kid-not-found' },
    });
    expect(fake.keyRequests).toEqual(['made-up-kid-1', 'new-verify-key', 'made-up-kid-1']);
  });

  it('says so when the destination names no encryptionKid or cannot be read', async () => {
    const { fake, provider } = fakeDestination();
    fake.encryptionKid = undefined;
    await expect(provider.encryptionJwk()).rejects.toMatchObject({ extensions: { reason: 'kid-not-found' } });
    fake.encryptionKid = 'enc-key-a';
    fake.down = true;
    await expect(provider.encryptionJwk()).rejects.toMatchObject({
      code: 'unavailable',
      reason: 'fitconnect-key-http-503',
    });
  });
});

describe('the key resolver with provided keys', () => {
  const resolverOver = (provider: ReturnType<typeof fakeDestination>['provider']) =>
    createKeyResolver({ keyProvider: () => provider });
  const source = (certificateChain: 'required' | 'off') => ({
    provided: { kind: 'fitconnect', settings: {} },
    certificateChain,
  });

  it('checks each handed-out key against the policy and follows the destination across a rotation', async () => {
    const { fake, provider } = fakeDestination();
    const resolver = resolverOver(provider);
    expect((await resolver.encryptionKey(source('off'))).kid).toBe('enc-key-a');
    fake.encryptionKid = 'enc-key-b';
    expect((await resolver.encryptionKey(source('off'))).kid).toBe('enc-key-b');
    expect((await resolver.receiptKey(source('off'), String(verify.kid))).kid).toBe(verify.kid);
    // the verify key is chosen by the receipt's kid: without one there is nothing to choose
    await expect(resolver.receiptKey(source('off'))).rejects.toMatchObject({ extensions: { reason: 'kid-not-found' } });
    // an encryption key is no verify key
    await expect(resolver.receiptKey(source('off'), 'enc-key-a')).rejects.toMatchObject({
      code: 'invalid-recipient-key',
    });
  });

  it('refuses a key without an x5c chain to a configured anchor unless the check is off', async () => {
    const { provider } = fakeDestination();
    const resolver = resolverOver(provider);
    await expect(resolver.encryptionKey(source('required'))).rejects.toMatchObject({
      extensions: { reason: 'x5c-missing' },
    });
    expect((await resolver.encryptionKey(source('off'))).kid).toBe('enc-key-a');
  });

  it('cannot resolve provided keys without a provider', async () => {
    await expect(createKeyResolver().encryptionKey(source('off'))).rejects.toMatchObject({ code: 'unavailable' });
  });
});
