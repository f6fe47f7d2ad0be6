import { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { AmtsboteError } from '../lib/errors.js';
import { configuredKeys, type GatewayKeys } from '../seal/index.js';
import type { Store } from '../store/store.js';
import type { KeyState } from '../store/types.js';

/**
 * The gateway's key operations, shared by the CLI (`amtsbote keys …`) and the admin API (`/admin/v1/keys`):
 * which configured key is active or retired is state in the store, so every instance follows a change.
 */

export interface GatewayKeyView extends KeyState {
  /** RFC 7638 thumbprint (SHA-256) of the public key; absent when this instance has no file for the kid. */
  fingerprint?: string | undefined;
  /** Messages signed with the key that are not final yet: a receiver may still need it. */
  openMessages: number;
}

export async function listGatewayKeys(store: Store, keys?: GatewayKeys): Promise<GatewayKeyView[]> {
  const fingerprints = keys ? await publicFingerprints(keys) : new Map<string, string>();
  return Promise.all(
    (await store.listKeyStates()).map(async (k) => ({
      ...k,
      fingerprint: fingerprints.get(k.kid),
      openMessages: k.purpose === 'signing' ? await store.countOpenMessagesSignedWith(k.kid) : 0,
    })),
  );
}

/** Makes a configured key the active one of its purpose; the previous one stays published. */
export async function rotateGatewayKey(input: {
  store: Store;
  keys: GatewayKeys;
  kid: string;
  actor: string;
  now: Date;
  note?: string | undefined;
}): Promise<void> {
  const { store, keys, kid } = input;
  if (!keys.signing.has(kid) && !keys.escrow.has(kid)) {
    throw new AmtsboteError(
      'not-found',
      `${kid} is not a configured key of this gateway (add its file under keys: in gateway.yaml first)`,
    );
  }
  const at = input.now.toISOString();
  await store.registerKeys(configuredKeys(keys), at);
  if (!(await store.activateKey(kid, input.actor, at)))
    throw new AmtsboteError('conflict', `${kid} is retired and cannot be activated again`);
  await store.appendAudit({
    at,
    actor: input.actor,
    action: 'keys.rotate',
    detail: { kid, ...(input.note ? { note: input.note } : {}) },
  });
}

/**
 * Stops publishing a key. Refused for the active key, and — unless forced — while messages signed with it
 * are not final, because their receivers still verify with it.
 */
export async function retireGatewayKey(input: {
  store: Store;
  kid: string;
  actor: string;
  now: Date;
  force: boolean;
  note?: string | undefined;
}): Promise<{ openMessages: number }> {
  const { store, kid } = input;
  const state = (await store.listKeyStates()).find((k) => k.kid === kid);
  if (!state) throw new AmtsboteError('not-found', `${kid} is not known to the store`);
  if (state.state === 'active')
    throw new AmtsboteError('conflict', `${kid} is the active ${state.purpose} key: rotate to another first`);
  const open = await store.countOpenMessagesSignedWith(kid);
  if (open > 0 && !input.force) {
    throw new AmtsboteError(
      'conflict',
      `${open} undelivered or unacknowledged messages were signed with ${kid}; their receivers still need it (force to retire anyway)`,
      [],
      { openMessages: open },
    );
  }
  const at = input.now.toISOString();
  await store.retireKey(kid, input.actor, at);
  await store.appendAudit({
    at,
    actor: input.actor,
    action: 'keys.retire',
    detail: { kid, openMessages: open, forced: input.force, ...(input.note ? { note: input.note } : {}) },
  });
  return { openMessages: open };
}

async function publicFingerprints(keys: GatewayKeys): Promise<Map<string, string>> {
  const entries = await Promise.all([
    ...[...keys.signing.values()].map(async (k) => [k.kid, await thumbprint(k.publicKey)] as const),
    ...[...keys.escrow.values()].map(async (k) => [k.kid, await thumbprint(KeyObject.from(k.publicKey))] as const),
  ]);
  return new Map(entries);
}

async function thumbprint(publicKey: KeyObject): Promise<string> {
  const { n, e } = publicKey.export({ format: 'jwk' });
  return calculateJwkThumbprint({ kty: 'RSA', n: n ?? '', e: e ?? '' });
}
