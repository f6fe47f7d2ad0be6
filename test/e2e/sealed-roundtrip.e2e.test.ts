import {
  chmodSync,
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples, personalStrings } from '../helpers/examples.js';
import { postJson, testFetch } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';
import { runCli, spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { pollValue } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'amtsbote-roundtrip-'));
const dataDir = join(dir, 'data');
let gateway: GatewayProcess;
beforeAll(async () => {
  gateway = await spawnGateway({ AMTSBOTE_DATA_DIR: dataDir });
});
// (gateway is missing when beforeAll failed: that failure is the one to see, not a TypeError here)
afterAll(async () => {
  await (gateway as GatewayProcess | undefined)?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const example = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;
const mailboxToken = 'dresden-mailbox-demo-token';

function filesBelow(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

describe('a sealed message from portal to specialist software', () => {
  it('is fetched from the mailbox, opened with the receiver kit against the pinned JWKS, and carries the XML', async () => {
    const accepted = await postJson(gateway.url, '/v1/submissions', example.envelope);
    expect(accepted.status).toBe(202);
    const messageId = (accepted.body.destinations as { destinationId: string; messageId: string }[]).find(
      (d) => d.destinationId === 'dresden-gewerbeamt',
    )!.messageId;

    const jwks = await testFetch(gateway.url + '/.well-known/jwks.json');
    expect(jwks.headers.get('content-type')).toMatch(/jwk-set\+json/);
    const pinned = join(dir, 'gateway-jwks.json');
    writeFileSync(pinned, await jwks.text());
    expect(readFileSync(pinned, 'utf8')).not.toMatch(/"d"\s*:/);

    // the mailbox adapter hands the message over within moments of the commit (longer on a busy machine)
    const listed = await pollValue(
      async () =>
        (
          (await (
            await testFetch(`${gateway.url}/v1/mailbox/dresden-gewerbeamt/messages`, {
              headers: { authorization: `Bearer ${mailboxToken}` },
            })
          ).json()) as { messages: { messageId: string }[] }
        ).messages,
      (messages) => messages.some((m) => m.messageId === messageId),
    );
    expect(listed.map((m) => m.messageId)).toContain(messageId);

    expect(
      (
        await testFetch(`${gateway.url}/v1/mailbox/dresden-gewerbeamt/messages`, {
          headers: { authorization: 'Bearer statistik-mailbox-demo-token' },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await testFetch(`${gateway.url}/v1/mailbox/statistik-sachsen/messages/${messageId}`, {
          headers: { authorization: 'Bearer statistik-mailbox-demo-token' },
        })
      ).status,
    ).toBe(404);

    const fetched = await testFetch(`${gateway.url}/v1/mailbox/dresden-gewerbeamt/messages/${messageId}`, {
      headers: { authorization: `Bearer ${mailboxToken}` },
    });
    expect(fetched.status).toBe(200);
    const container = await fetched.text();
    expect(JSON.parse(container)).toMatchObject({
      format: 'amtsbote-sealed/1',
      messageId,
      destinationId: 'dresden-gewerbeamt',
    });
    const status = await testFetch(accepted.body.statusUrl as string, {
      headers: { authorization: 'Bearer amt24-demo-token' },
    });
    const destinations = ((await status.json()) as { destinations: { destinationId: string; status: string }[] })
      .destinations;
    expect(destinations.find((d) => d.destinationId === 'dresden-gewerbeamt')?.status).toBe('delivered');

    // Key files must be owner-readable only; a clone gives the demo keys mode 644.
    const demoKey = (name: string) => {
      const target = join(dir, `${name}.private-jwk.json`);
      copyFileSync(join(projectRoot, `config/demo/${name}.encryption.private-jwk.DEVELOPMENT-ONLY.json`), target);
      chmodSync(target, 0o600);
      return target;
    };
    const messageFile = join(dir, 'message.json');
    writeFileSync(messageFile, container);
    const out = join(dir, 'opened');
    const opened = runCli([
      'receiver',
      'open',
      messageFile,
      '--out',
      out,
      '--gateway-jwks',
      pinned,
      '--key',
      demoKey('dresden-gewerbeamt'),
      '--destination',
      'dresden-gewerbeamt',
    ]);
    expect(opened.status, opened.stderr).toBe(0);
    const files = readdirSync(out);
    const xmlFile = files.find((f) => f.endsWith('.xml'))!;
    const xml = readFileSync(join(out, xmlFile), 'utf8');
    expect(xml).toContain('<xga:alg.gewerbemeldung.0300');
    expect(xml).toContain(`<xga:nachrichtenUUID>${messageId}</xga:nachrichtenUUID>`);
    expect(xml).toContain('Müller');

    const wrongKey = runCli([
      'receiver',
      'open',
      messageFile,
      '--out',
      join(dir, 'wrong'),
      '--gateway-jwks',
      pinned,
      '--key',
      demoKey('leipzig-gewerbeamt'),
    ]);
    expect(wrongKey.status).toBe(1);

    const shown = join(dir, 'shown.json');
    expect(runCli(['store', 'show-message', messageId, '--out', shown], { AMTSBOTE_DATA_DIR: dataDir }).status).toBe(0);
    expect(readFileSync(shown, 'utf8')).toBe(container);
  });

  it('keeps none of the personal data in the data dir: SQLite file, WAL, files', () => {
    const needles = personalStrings(example.envelope.data);
    expect(needles.length).toBeGreaterThan(5);
    for (const file of filesBelow(dataDir)) {
      const content = readFileSync(file);
      for (const needle of needles) expect(content.includes(needle), `${needle} in ${file}`).toBe(false);
    }
    expect(gateway.output()).not.toContain('Müller');
  });
});
