import { z } from 'zod';

/** File drop: one file per message in a folder the specialist software watches. */
export const fileAdapterConfigSchema = z.strictObject({
  kind: z.literal('file'),
  /** Relative paths are resolved against the gateway's data dir. */
  directory: z.string().min(1),
});
