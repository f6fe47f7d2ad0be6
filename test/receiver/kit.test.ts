import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReceiverKeysInit, runReceiverOpen } from '../../src/receiver/commands.js';
import { receiverKeysInit, RECEIVER_KEY_FILES, type ReceiverKeysInitResult } from '../../src/receiver/keys-init.js';
import { loadPinnedJwks } from '../../src/receiver/load-pinned-jwks.js';
import { safeFilename } from '../../src/receiver/write-opened.js';
import { gatewayJwks } from '../../src/seal/gateway-keys/public-jwks.js';
import { signingKeyFor } from '../../src/seal/gateway-keys/select-key.js';
import type { GatewayKeys } from '../../src/seal/gateway-keys/types.js';
import { checkEncryptionJwk, checkReceiptJwk } from '../../src/seal/recipient-keys/check-recipient-jwk.js';
import { defaultRecipientKeyPolicy } from '../../src/seal/recipient-keys/policy.js';
import { sealMessage } from '../../src/seal/sealed-message/seal-message.js';
import { serializeContainer } from '../../src/seal/sealed-message/serialize-container.js';
import { FIXED_CLOCK, sampleInput, SIGNING_1, SIGNING_2, testGatewayKeys } from '../seal/fixtures.js';

let root: string;
let keysDir: string;
let init: ReceiverKeysInitResult;
let keys: GatewayKeys;
let messageFile: string;
let jwksFile: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'amtsbote-receiver-'));
  keysDir = join(root, 'keys');
  [init, keys] = await Promise.all([receiverKeysInit(keysDir, { kidPrefix: 'dresden-gewerbeamt' }), testGatewayKeys()]);
  const encJwk = init.publicJwks.keys.find((k) => k.use === 'enc')!;
  const recipient = await checkEncryptionJwk(encJwk, defaultRecipientKeyPolicy);
  const input = sampleInput({
    attachments: [
      ...sampleInput().attachments,
      { id: 'evil', mediaType: 'text/plain', filename: '../../../etc/passwd', content: Buffer.from('harmless') },
    ],
  });
  const sealed = await sealMessage(
    input,
    { signing: signingKeyFor(keys, SIGNING_1), recipient },
    { clock: FIXED_CLOCK },
  );
  messageFile = join(root, 'message.json');
  writeFileSync(messageFile, serializeContainer(sealed.container));
  jwksFile = join(root, 'gateway-jwks.json');
  writeFileSync(jwksFile, JSON.stringify(gatewayJwks(keys, [SIGNING_2])));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('receiver keys init', () => {
  it('creates owner-only key files and a public JWKS the gateway accepts', async () => {
    expect(statSync(keysDir).mode & 0o777).toBe(0o700);
    expect(statSync(init.files.encryption).mode & 0o777).toBe(0o600);
    expect(statSync(init.files.signing).mode & 0o777).toBe(0o600);
    expect(init.encryptionKid).toMatch(/^dresden-gewerbeamt-enc-[A-Za-z0-9_-]{16}$/);
    const [enc, sig] = init.publicJwks.keys;
    expect(enc).toMatchObject({
      kty: 'RSA',
      kid: init.encryptionKid,
      alg: 'RSA-OAEP-256',
      use: 'enc',
      key_ops: ['wrapKey'],
    });
    expect(sig).toMatchObject({ kty: 'RSA', kid: init.signingKid, alg: 'PS512', use: 'sig', key_ops: ['verify'] });
    expect(JSON.stringify(init.publicJwks)).not.toMatch(/"(d|p|q|dp|dq|qi)"/);
    await expect(checkEncryptionJwk(enc!, defaultRecipientKeyPolicy)).resolves.toMatchObject({ modulusBits: 4096 });
    await expect(checkReceiptJwk(sig!, defaultRecipientKeyPolicy)).resolves.toMatchObject({ modulusBits: 4096 });
    expect(JSON.parse(readFileSync(init.files.publicJwks, 'utf8'))).toEqual(init.publicJwks);
  });

  it('never overwrites existing keys', async () => {
    const result = await runReceiverKeysInit({ dir: keysDir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('refusing to overwrite');
  });
});

describe('receiver open (the CLI command function)', () => {
  it('decrypts, verifies and writes the message into a folder', async () => {
    const out = join(root, 'opened');
    const result = await runReceiverOpen({
      messageFile,
      outDir: out,
      keysDir,
      gatewayJwks: jwksFile,
      destinationId: 'dresden-gewerbeamt',
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const summary = JSON.parse(result.stdout) as { messageId: string; files: { attachments: Record<string, string> } };
    expect(summary.messageId).toBe(sampleInput().messageId);
    expect(readFileSync(join(out, 'data.xml'), 'utf8')).toBe(sampleInput().data.content);
    expect(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8'))).toMatchObject({
      messageId: sampleInput().messageId,
      signingKid: SIGNING_1,
    });
    expect(readFileSync(join(out, 'metadata.jws'), 'utf8')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(readFileSync(join(out, 'attachments/ausweis/Personalausweis.pdf'))).toEqual(
      sampleInput().attachments[0]!.content,
    );
    // A file name from the metadata never leaves the folder.
    expect(summary.files.attachments.evil).toBe(join(out, 'attachments/evil/passwd'));
    expect(existsSync(join(out, 'attachments/evil/passwd'))).toBe(true);
    expect(statSync(join(out, 'data.xml')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(out, 'authentication-tags.json'), 'utf8'))).toHaveProperty(
      'attachments.ausweis',
    );

    // The output folder must be empty: nothing is mixed or overwritten.
    const again = await runReceiverOpen({ messageFile, outDir: out, keysDir, gatewayJwks: jwksFile });
    expect(again).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('not empty') as unknown });
  });

  it('exits 1 with the reason when the message is refused, and writes nothing', async () => {
    const out = join(root, 'refused');
    const onlyKey2 = join(root, 'only-key-2.json');
    writeFileSync(onlyKey2, JSON.stringify({ keys: gatewayJwks(keys, [SIGNING_1]).keys }));
    const result = await runReceiverOpen({ messageFile, outDir: out, keysDir, gatewayJwks: onlyKey2 });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^refused: unknown-signing-key \(metadata\): /);
    // code and part once: the message of the error already carries them
    expect(result.stderr.match(/unknown-signing-key/g)).toHaveLength(1);
    expect(existsSync(out)).toBe(false);

    const other = await runReceiverOpen({
      messageFile,
      outDir: out,
      keysDir,
      gatewayJwks: jwksFile,
      destinationId: 'leipzig-gewerbeamt',
    });
    expect(other.stderr).toMatch(/^refused: message-mismatch \(container\)/);
  });

  it('exits 2 when it cannot run: missing files, a key file others can read', async () => {
    const out = join(root, 'never');
    expect(
      (await runReceiverOpen({ messageFile: join(root, 'missing.json'), outDir: out, keysDir, gatewayJwks: jwksFile }))
        .exitCode,
    ).toBe(2);
    expect(
      (await runReceiverOpen({ messageFile, outDir: out, keysDir: join(root, 'nokeys'), gatewayJwks: jwksFile }))
        .exitCode,
    ).toBe(2);
    const loose = join(root, 'loose.json');
    writeFileSync(loose, readFileSync(init.files.encryption));
    chmodSync(loose, 0o644);
    const result = await runReceiverOpen({ messageFile, outDir: out, keyFiles: [loose], gatewayJwks: jwksFile });
    expect(result).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('chmod 600') as unknown });
  });

  it('reads the pinned gateway JWKS from the URL the receiver configured', async () => {
    const body = JSON.stringify(gatewayJwks(keys));
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
      expect(await loadPinnedJwks(url)).toEqual(JSON.parse(body));
      const result = await runReceiverOpen({
        messageFile,
        outDir: join(root, 'via-url'),
        keyFiles: [join(keysDir, RECEIVER_KEY_FILES.encryption)],
        gatewayJwks: url,
      });
      expect(result.exitCode).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('makes attachment file names safe', () => {
    expect(safeFilename('../../etc/passwd')).toBe('passwd');
    expect(safeFilename('C:\\Users\\x\\Antrag.pdf')).toBe('Antrag.pdf');
    expect(safeFilename('.bashrc')).toBe('bashrc');
    expect(safeFilename('..')).toBe('content');
    expect(safeFilename('a\u0000b|c.pdf')).toBe('a_b_c.pdf');
    expect(safeFilename('Grundriß Müller.pdf')).toBe('Grundriß Müller.pdf');
  });
});
