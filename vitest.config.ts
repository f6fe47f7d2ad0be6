import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Outer bounds only, above the helpers' own (test/helpers/wait.ts, 120 s per wait for another process), so that
    // on a busy machine a slow start or delivery fails with the helper's message and output, not a bare timeout.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.serial.test.ts'],
          // two cores: keep worker processes to what the machine has
          maxWorkers: 2,
        },
      },
      {
        // Tests that restart or cut a shared service (the machine's RabbitMQ): `npm test` runs this group
        // after the parallel one, one file at a time, so no other test shares the service meanwhile.
        extends: true,
        test: {
          name: 'serial',
          include: ['test/**/*.serial.test.ts'],
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
