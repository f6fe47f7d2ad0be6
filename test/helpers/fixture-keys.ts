import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './paths.js';

export interface FixtureKeys {
  /** Gateway key files for `keys:` (owner-only copies, as the gateway requires). */
  keys: { signing: string; escrow: string };
  remove(): void;
}

/**
 * Owner-only copies of the test fixtures' gateway keys: a gateway started with them generates no RSA-4096
 * keys, and several instances share the same keys, as production instances share their key files.
 */
export function copyFixtureKeys(): FixtureKeys {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-keys-'));
  const copy = (name: string) => {
    const file = join(dir, `${name}.private-jwk.json`);
    copyFileSync(join(projectRoot, `test/fixtures/keys/${name}.private-jwk.DEVELOPMENT-ONLY.json`), file);
    chmodSync(file, 0o600);
    return file;
  };
  return {
    keys: { signing: copy('gateway-signing-1'), escrow: copy('gateway-escrow-1') },
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
