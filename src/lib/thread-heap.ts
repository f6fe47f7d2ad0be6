import type { ResourceLimits } from 'node:worker_threads';

/**
 * The heap limits of the gateway's worker threads (the intake pool's and the delivery thread). V8 lets each
 * thread's new space grow to 32 MB, which a busy thread fills and keeps resident: with two intake threads and the
 * delivery thread that alone was about 100 MB of the gateway's peak RSS (issue 26). Their garbage is short-lived
 * (a request's strings and buffers), so 8 MB of new space costs more scavenges but cheap ones: in paired bench runs
 * the intake threads' garbage collection went from 3 % to 5 % of their busy time, and intake's rate stayed within
 * the runs' noise (bench/results/threadload-2threads-delivery-thread-2026-12-07.json).
 */
export const threadResourceLimits: ResourceLimits = { maxYoungGenerationSizeMb: 8 };
