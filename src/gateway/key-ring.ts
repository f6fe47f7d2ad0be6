import type { Logger } from '../lib/logger.js';
import { configuredKeys, escrowKeyFor, gatewayJwks, signingKeyFor, type GatewayEscrowKey, type GatewayKeys, type GatewaySigningKey, type KeyResolver } from '../seal/index.js';
import type { Store } from '../store/store.js';
import type { KeyState } from '../store/types.js';

export interface SealingContext {
  keys: GatewayKeys;
  resolver: KeyResolver;
  /** The signing key that signs new messages now. */
  signing(): GatewaySigningKey;
  /** The escrow key new escrow copies are sealed to. */
  escrow(): GatewayEscrowKey;
  /** The public JWKS: every configured signing key not retired. */
  jwks(): ReturnType<typeof gatewayJwks>;
  states(): KeyState[];
  /** Re-reads the key states from the store (after a rotation here or on another instance). */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * The gateway's keys with their state from the store: the files are the same on every instance, which of
 * them is active is the store's, so `keys rotate` on one instance is followed by all within `pollMs`.
 */
export async function startSealingContext(options: { keys: GatewayKeys; resolver: KeyResolver; store: Store; logger: Logger; now: () => Date; pollMs?: number }): Promise<SealingContext> {
  const { keys, store } = options;
  await store.registerKeys(configuredKeys(keys), options.now().toISOString());
  let states: KeyState[] = [];
  const refresh = async () => {
    states = await store.listKeyStates();
  };
  await refresh();
  const active = (purpose: KeyState['purpose']): string => {
    const kid = states.find((s) => s.purpose === purpose && s.state === 'active')?.kid;
    if (!kid) throw new Error(`no active ${purpose} key in the store`);
    return kid;
  };
  // Fail at start, not on the first request, when the store names a key this instance has no file for.
  signingKeyFor(keys, active('signing'));
  escrowKeyFor(keys, active('escrow'));
  const timer = setInterval(() => {
    refresh().catch((error: unknown) => {
      options.logger.warn({ errorClass: (error as Error).name }, 'key state refresh failed');
    });
  }, options.pollMs ?? 2000);
  timer.unref();
  return {
    keys,
    resolver: options.resolver,
    signing: () => signingKeyFor(keys, active('signing')),
    escrow: () => escrowKeyFor(keys, active('escrow')),
    jwks: () => gatewayJwks(keys, states.filter((s) => s.state === 'retired').map((s) => s.kid)),
    states: () => states,
    refresh,
    stop: () => {
      clearInterval(timer);
    },
  };
}
