import { join, resolve } from 'node:path';
import type { ConfigFiles } from '../config/load.js';

/**
 * What a backup of the store cannot be restored without, though it lives outside the store: the HMAC secret
 * (without it every idempotent retry of an earlier submission is answered 409, and no stored hash matches) and
 * the gateway's keys (the escrow key opens the escrow copies; the signing keys are what receivers pinned).
 * One line each, for `store backup` and `store restore` to print.
 */
export function backupCompanions(config: ConfigFiles): string[] {
  const g = config.gateway;
  const developmentKeys = join(config.dataDir, 'keys');
  const lines: string[] = [];
  if (!g.hmacSecret) lines.push(`${join(developmentKeys, 'hmac.secret')} — the development HMAC secret`);
  else if (g.hmacSecret.startsWith('env:'))
    lines.push(`the value of the environment variable ${g.hmacSecret.slice(4)} — hmacSecret`);
  else lines.push(`${resolve(config.configDir, g.hmacSecret.slice(5))} — hmacSecret`);
  if (!g.keys) lines.push(`${developmentKeys}/ — the development signing and escrow keys (the whole folder)`);
  else {
    for (const purpose of ['signing', 'escrow'] as const) {
      for (const key of g.keys[purpose]) lines.push(`${resolve(config.configDir, key.file)} — ${purpose} key`);
    }
  }
  return lines;
}
