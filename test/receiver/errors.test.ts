import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildReceipt,
  isReceiverError,
  loadPinnedJwks,
  ReceiverError,
  receiverKeysInit,
  writeOpened,
  type OpenedMessage,
} from '../../src/receiver/index.js';
import { readPrivateJwkFile } from '../../src/receiver/lib/read-private-jwk.js';

const root = mkdtempSync(join(tmpdir(), 'amtsbote-receiver-errors-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** The code of the ReceiverError a call throws (or rejects with). */
async function codeOf(call: () => unknown): Promise<string> {
  try {
    await call();
  } catch (error) {
    expect(error).toBeInstanceOf(ReceiverError);
    expect(isReceiverError(error)).toBe(true);
    expect((error as ReceiverError).name).toBe('ReceiverError');
    return (error as ReceiverError).code;
  }
  throw new Error('expected a ReceiverError');
}

describe("the receiver kit's failures carry stable codes", () => {
  it('refuses to overwrite key files and an unusable kid prefix', async () => {
    const dir = join(root, 'keys');
    await receiverKeysInit(dir);
    expect(await codeOf(() => receiverKeysInit(dir))).toBe('key-files-exist');
    expect(await codeOf(() => receiverKeysInit(join(root, 'other-keys'), { kidPrefix: 'a/b' }))).toBe(
      'invalid-kid-prefix',
    );
  });

  it('refuses a private key file others may read, and a file that holds no JWK', async () => {
    const exposed = join(root, 'exposed.jwk');
    writeFileSync(exposed, '{}', { mode: 0o644 });
    chmodSync(exposed, 0o644);
    expect(await codeOf(() => readPrivateJwkFile(exposed))).toBe('key-file-exposed');
    const list = join(root, 'list.jwk');
    writeFileSync(list, '[]', { mode: 0o600 });
    expect(await codeOf(() => readPrivateJwkFile(list))).toBe('not-a-jwk');
  });

  it('refuses to sign a receipt with a key without kid', async () => {
    const opened = {
      metadata: { destinationId: 'd', messageId: 'm', submissionId: 's' },
      authenticationTags: {},
    } as unknown as OpenedMessage;
    expect(await codeOf(() => buildReceipt(opened, { signingJwk: { kty: 'RSA' }, decision: { accept: true } }))).toBe(
      'key-without-kid',
    );
  });

  it('refuses a pinned JWKS that is not JSON or has no keys', async () => {
    const notJson = join(root, 'not-json.jwks');
    writeFileSync(notJson, 'keys');
    expect(await codeOf(() => loadPinnedJwks(notJson))).toBe('jwks-malformed');
    const noKeys = join(root, 'no-keys.jwks');
    writeFileSync(noKeys, '{"keys": {}}');
    expect(await codeOf(() => loadPinnedJwks(noKeys))).toBe('jwks-malformed');
  });

  it('refuses to write an opened message into a folder that is not empty', async () => {
    const out = join(root, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'left-over'), '');
    expect(await codeOf(() => writeOpened({} as OpenedMessage, out))).toBe('output-not-empty');
  });
});
