import type { ResourceLimits } from 'node:worker_threads';

/**
 * The heap limits of the gateway's worker threads (the intake pool's and the delivery thread). V8 lets each
 * thread's young generation grow to 32 MB of new space, which a busy thread fills and keeps resident: with two
 * intake threads and the delivery thread that alone was about 100 MB of the gateway's peak RSS (issue 26). Their
 * garbage is short-lived (a request's strings and buffers), so a smaller new space costs more, but cheap,
 * scavenges; bench/run.mjs in pairs measured no loss of intake rate at 8 MB (CHANGELOG).
 */
export const threadResourceLimits: ResourceLimits = { maxYoungGenerationSizeMb: 8 };
