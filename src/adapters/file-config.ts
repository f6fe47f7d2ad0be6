import { z } from 'zod';

/** File drop: one file per message in a folder the specialist software watches. */
export const fileAdapterConfigSchema = z.strictObject({
  kind: z.literal('file'),
  /** A folder below the file-drop root that gateway.yaml names (`fileDropRoot`), relative to it. */
  directory: z.string().min(1),
});
