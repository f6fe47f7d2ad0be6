import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { postJson, testFetch } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';
import { runCli, spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { pollValue } from '../helpers/wait.js';
import { fimReferenceDir, hasFimReference, needsFimReference } from '../fim/helpers.js';

const mailboxToken = 'dresden-buergerdienste-demo-token';
const destination = 'dresden-bewohnerparkausweis';
const dir = mkdtempSync(join(tmpdir(), 'amtsbote-fim-e2e-'));
let copy: ConfigCopy | undefined;
let gateway: GatewayProcess | undefined;
afterAll(async () => {
  await gateway?.stop();
  copy?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasFimReference)(
  needsFimReference('the Bewohnerparkausweis imported from S05000058 in place of the hand-made one'),
  () => {
    it('is imported by the CLI, then routes, maps and delivers a submission end to end like the hand-made one', async () => {
      copy = copyConfig({ copyMappings: true });
      // The operator replaces the hand-made service (same LeiKa key, same file name, same message name).
      rmSync(join(copy.dir, 'services/bewohnerparkausweis.yaml'));
      rmSync(join(copy.mappingsDir, 'json/1/bewohnerparkausweis.yaml'));
      const bewohnerparken = join(fimReferenceDir, 'examples/bewohnerparken');
      const imported = runCli([
        'services',
        'import-fim',
        join(bewohnerparken, 'S05000058V1.0_xdf2.xml'),
        '--key',
        '99108001001000',
        '--name',
        'Bewohnerparkausweis',
        '--file-name',
        'bewohnerparkausweis',
        '--codelists',
        bewohnerparken,
        '--xsd',
        join(fimReferenceDir, 'xdatenfelder-2.0'),
        '--out',
        join(copy.dir, 'services'),
        '--mappings',
        join(copy.mappingsDir, 'json/1'),
        '--examples',
        join(dir, 'examples'),
      ]);
      expect(imported.status, imported.stderr).toBe(0);
      expect(imported.stdout).toContain('imported S05000058 version 1.0 (XDatenfelder 2.0)');
      expect(imported.stdout).toContain('code lists missing: 0');

      gateway = await spawnGateway({ AMTSBOTE_CONFIG: copy.configFile, AMTSBOTE_DATA_DIR: join(dir, 'data') });
      const example = JSON.parse(readFileSync(join(dir, 'examples/bewohnerparkausweis/fim-example.json'), 'utf8')) as {
        data: Record<string, unknown>;
        attachments: { id: string }[];
      };
      const accepted = await postJson(gateway.url, '/v1/submissions', example);
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
      const messageId = (accepted.body.destinations as { destinationId: string; messageId: string }[]).find(
        (d) => d.destinationId === destination,
      )!.messageId;

      // Invalid data are refused with a pointer, as for any service.
      const invalid = await postJson(gateway.url, '/v1/submissions', {
        ...example,
        data: { ...example.data, extra: 1 },
      });
      expect(invalid.status).toBe(422);

      const auth = { headers: { authorization: `Bearer ${mailboxToken}` } };
      await pollValue(
        async () =>
          (
            (await (await testFetch(`${gateway!.url}/v1/mailbox/${destination}/messages`, auth)).json()) as {
              messages: { messageId: string }[];
            }
          ).messages,
        (messages) => messages.some((m) => m.messageId === messageId),
      );
      const fetched = await testFetch(`${gateway.url}/v1/mailbox/${destination}/messages/${messageId}`, auth);
      expect(fetched.status).toBe(200);
      const messageFile = join(dir, 'message.json');
      writeFileSync(messageFile, await fetched.text());
      const jwksFile = join(dir, 'jwks.json');
      writeFileSync(jwksFile, await (await testFetch(`${gateway.url}/.well-known/jwks.json`)).text());
      const key = join(dir, 'dresden-buergerdienste.private-jwk.json');
      copyFileSync(
        join(projectRoot, 'config/demo/dresden-buergerdienste.encryption.private-jwk.DEVELOPMENT-ONLY.json'),
        key,
      );
      chmodSync(key, 0o600);
      const out = join(dir, 'opened');
      const opened = runCli([
        'receiver',
        'open',
        messageFile,
        '--out',
        out,
        '--gateway-jwks',
        jwksFile,
        '--key',
        key,
        '--destination',
        destination,
      ]);
      expect(opened.status, opened.stderr).toBe(0);
      // The receiver gets the data as submitted, naming the FIM schema they follow.
      expect(JSON.parse(readFileSync(join(out, 'data.json'), 'utf8'))).toEqual(example.data);
      expect(readFileSync(join(out, 'metadata.json'), 'utf8')).toContain(
        'https://amtsbote.dev/schemas/fim/S05000058/1.0.json',
      );
      // …and the schema itself from the gateway that sealed the message.
      const schema = await testFetch(
        `${gateway.url}/v1/schemas/json?uri=${encodeURIComponent('https://amtsbote.dev/schemas/fim/S05000058/1.0.json')}`,
      );
      expect(schema.status).toBe(200);
      expect(((await schema.json()) as Record<string, unknown>)['x-fim-id']).toBe('S05000058');
    });
  },
);
