import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Secrets are referenced, never inlined (design.md): `env:NAME` or `file:path`.
 * The reference is what config and routing history keep; the value is read only when needed.
 */
export const secretRefSchema = z
  .string()
  .regex(
    /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/,
    'must be a reference "env:NAME" or "file:path", never the secret itself',
  );

export type SecretRef = z.infer<typeof secretRefSchema>;

export function readSecret(ref: SecretRef, baseDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const value = env[name];
    if (value === undefined || value === '') throw new ConfigError(`environment variable ${name} is not set`);
    return value;
  }
  const path = resolve(baseDir, ref.slice(5));
  return readFileSync(path, 'utf8').trim();
}
