import type { IntakeContext } from '../../intake/accept-submission.js';
import type { Logger } from '../../lib/logger.js';
import type { OutboundPolicy } from '../../adapters/guarded-agent.js';
import type { FitConnectSubscriberConfig } from '../../config/fitconnect-subscribers-schema.js';
import type { Store } from '../../store/store.js';
import { pickUp, type PickUpDestination, type PickUpOutcome } from './pick-up.js';
import { subscriberApi, type SubscriberApi } from './subscriber-api.js';

/** How long an instance holds one inbound submission while it works on it; a dead instance's lease runs out. */
const leaseMs = 5 * 60_000;
/** Inbound submissions worked on per destination and round. */
const perRound = 50;
/** How often routing's version is compared, so that waiting cases are taken on soon after a change. */
const routingWatchMs = 2000;

export interface Subscriber {
  /** A callback announced new submissions for this destination (verified): pick up now rather than at the next poll. */
  nudge(destinationId: string): void;
  /** One round for every destination now (tests, and a routing change); resolves when it is done. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

export interface SubscriberDeps {
  clients: readonly FitConnectSubscriberConfig[];
  /** Each destination's checks, SETs, mappings and owner (bound in gateway/). */
  destinations: ReadonlyMap<string, Omit<PickUpDestination, 'destinationId'>>;
  store: Store;
  intake: IntakeContext;
  routingVersion: () => number;
  configDir: string;
  outbound: OutboundPolicy;
  clock: () => Date;
  logger: Logger;
  owner: string;
  onOutcome?: (destinationId: string, outcome: PickUpOutcome) => void;
}

/**
 * The pick-up loop of every configured subscriber client: every `pollSeconds` (the fallback), at once after a
 * verified callback (`nudge`), and when routing changes (waiting cases become due). A round lists what
 * FIT-Connect holds for each destination, records what is new, and works through what is due — each under a
 * lease in the store, so that of several instances exactly one picks a submission up. Rounds of one client never
 * overlap; nothing here throws out of a timer.
 */
export function startSubscriber(deps: SubscriberDeps): Subscriber {
  const controller = new AbortController();
  const runners = deps.clients.map((client) => clientRunner(client, deps, controller.signal));
  let lastRouting = deps.routingVersion();
  const watch = setInterval(() => {
    const version = deps.routingVersion();
    if (version === lastRouting) return;
    lastRouting = version;
    void deps.store
      .wakeWaitingInbound(deps.clock().toISOString())
      .then((woken) => {
        if (woken > 0) for (const r of runners) r.nudge();
      })
      .catch((error: unknown) => {
        deps.logger.warn({ errorClass: (error as Error).name }, 'could not wake the waiting FIT-Connect submissions');
      });
  }, routingWatchMs);
  watch.unref();
  return {
    nudge(destinationId) {
      for (const r of runners) if (r.serves(destinationId)) r.nudge();
    },
    async runOnce() {
      await Promise.all(runners.map((r) => r.runOnce()));
    },
    async stop() {
      clearInterval(watch);
      controller.abort();
      await Promise.all(runners.map((r) => r.stop()));
    },
  };
}

function clientRunner(client: FitConnectSubscriberConfig, deps: SubscriberDeps, signal: AbortSignal) {
  const api = subscriberApi(client, { configDir: deps.configDir, outbound: deps.outbound, now: deps.clock });
  const destinationIds = client.destinations.map((d) => d.destinationId);
  let running: Promise<void> | undefined;
  // Asked again while a round runs: one more round after it (an object, so the loop re-reads it after awaits).
  const asked = { again: false };
  const takeAgain = () => {
    const again = asked.again;
    asked.again = false;
    return again;
  };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const round = async () => {
    for (const destinationId of destinationIds) {
      if (signal.aborted) return;
      const destination = deps.destinations.get(destinationId);
      if (!destination) continue;
      try {
        await roundFor(api, { destinationId, ...destination }, deps, signal);
      } catch (error) {
        deps.logger.warn(
          { client: client.name, destinationId, errorClass: (error as Error).name, reason: reasonOf(error) },
          'FIT-Connect pick-up round failed; trying again at the next poll',
        );
      }
    }
  };
  const runOnce = (): Promise<void> => {
    if (running) {
      asked.again = true;
      return running;
    }
    running = (async () => {
      do await round();
      while (takeAgain() && !signal.aborted);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runOnce().finally(schedule);
    }, client.pollSeconds * 1000);
    timer.unref();
  };
  // The first round at once: what waited while the gateway was down is picked up without waiting a poll.
  void runOnce().finally(schedule);
  return {
    serves: (destinationId: string) => destinationIds.includes(destinationId),
    nudge: () => {
      void runOnce();
    },
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
      await api.close();
    },
  };
}

/** One destination: record what FIT-Connect lists, then work through what is due under a lease each. */
async function roundFor(api: SubscriberApi, destination: PickUpDestination, deps: SubscriberDeps, signal: AbortSignal) {
  const listed = await api.listSubmissions(destination.destinationId, signal);
  for (const s of listed) {
    if (s.destinationId !== destination.destinationId) continue;
    await deps.store.recordInboundSeen({
      id: s.submissionId,
      destinationId: destination.destinationId,
      caseId: s.caseId,
      now: deps.clock().toISOString(),
    });
  }
  const due = await deps.store.listDueInbound({
    destinationIds: [destination.destinationId],
    now: deps.clock().toISOString(),
    limit: perRound,
  });
  for (const candidate of due) {
    if (signal.aborted) return;
    const now = deps.clock();
    const row = await deps.store.takeInboundLease({
      id: candidate.id,
      owner: deps.owner,
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
    });
    if (!row) continue;
    const outcome = await pickUp(
      { store: deps.store, api, intake: deps.intake, clock: deps.clock, logger: deps.logger, owner: deps.owner },
      destination,
      row,
      signal,
    );
    deps.onOutcome?.(destination.destinationId, outcome);
  }
}

function reasonOf(error: unknown): string | undefined {
  const reason = (error as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : undefined;
}
