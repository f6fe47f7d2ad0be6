import type { Logger } from '../lib/logger.js';

export type ProcessFault = 'uncaughtException' | 'unhandledRejection';

export interface ProcessGuardOptions {
  logger: Logger;
  record: (kind: ProcessFault) => void;
  /** Asked to stop the gateway gracefully and exit non-zero when faults come faster than `maxFaults` per `windowMs`. */
  shutdown: () => void;
  maxFaults?: number;
  windowMs?: number;
  now?: () => number;
}

/**
 * The last line of defence of `amtsbote serve`: an error that no handler caught is logged at error level
 * (its class, code and stack frames — never its message, which may quote a request) and counted, and the
 * process keeps serving. Every request handler and parser handles its own errors, so what still arrives
 * here is a fault scoped to the one request or stream whose callback threw; exiting would instead drop
 * every request and delivery in flight — the outage an attacker wants — while the durable state is safe
 * either way (the store commits in transactions, deliveries are leased). A process that faults again and
 * again is likely broken beyond one request: then it shuts down gracefully so the supervisor restarts it.
 */
export function installProcessGuard(options: ProcessGuardOptions): () => void {
  const now = options.now ?? Date.now;
  const maxFaults = options.maxFaults ?? 20;
  const windowMs = options.windowMs ?? 60_000;
  let recent: number[] = [];
  let stopping = false;

  const handle = (kind: ProcessFault, error: unknown) => {
    try {
      const e = error instanceof Error ? error : undefined;
      const code = (e as { code?: unknown } | undefined)?.code;
      options.logger.error(
        {
          fault: kind,
          errorClass: e?.name ?? typeof error,
          code: typeof code === 'string' ? code.slice(0, 64) : undefined,
          stack: e?.stack?.split('\n').slice(1, 8).join('\n'),
        },
        'an error escaped every handler; the gateway keeps running',
      );
      options.record(kind);
      const at = now();
      recent = [...recent.filter((t) => at - t < windowMs), at];
      if (recent.length >= maxFaults && !stopping) {
        stopping = true;
        options.logger.error(
          { faults: recent.length, windowSeconds: windowMs / 1000 },
          'too many escaped errors: shutting down for a restart',
        );
        options.shutdown();
      }
    } catch {
      // The guard must not throw from inside the handler for uncaught exceptions: that would end the process.
    }
  };
  const onException = (error: Error) => {
    handle('uncaughtException', error);
  };
  const onRejection = (reason: unknown) => {
    handle('unhandledRejection', reason);
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
