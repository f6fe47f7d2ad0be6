import { join } from 'node:path';
import { z } from 'zod';

export const kind = 'file';

/** File drop: one file per message in a folder the specialist software watches. */
export const fileAdapterConfigSchema = z.strictObject({
  kind: z.literal(kind),
  /** A folder below the file-drop root that gateway.yaml names (`fileDropRoot`), relative to it. */
  directory: z.string().min(1),
});

export type FileAdapterConfig = z.output<typeof fileAdapterConfigSchema>;

/** The file-drop root when gateway.yaml names none (config/load.ts and the file adapter both use it). */
export const defaultFileDropRoot = (dataDir: string) => join(dataDir, 'outbox');
