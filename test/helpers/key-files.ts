import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths.js';

/**
 * Copies a gateway key fixture (test/fixtures/keys/<name>.private-jwk.DEVELOPMENT-ONLY.json) into `dir` with
 * mode 0600, since the gateway reads key files only when their owner alone can read them.
 */
export function ownerOnlyKeyFile(dir: string, name: string): string {
  const target = join(dir, `${name}.json`);
  copyFileSync(join(projectRoot, 'test/fixtures/keys', `${name}.private-jwk.DEVELOPMENT-ONLY.json`), target);
  chmodSync(target, 0o600);
  return target;
}
