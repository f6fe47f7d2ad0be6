import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../helpers/examples.js';
import { getJson, postJson } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';
import { cliPath, runCli, spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * The newcomer's path: the README's commands in order, against a real `amtsbote serve` on the embedded demo
 * configuration (with its demo receiver), as printed — only the address (any free port, as the Quick start
 * allows with AMTSBOTE_PORT), `npx amtsbote` (the built CLI) and the ids a reader copies from an answer are
 * filled in. The commands run in a folder of their own that sees the project's examples/ and config/, so
 * nothing they write (message.json, opened/) lands in the repository.
 */
const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'amtsbote-newcomer-'));
const dataDir = join(work, 'data');
let gateway: GatewayProcess | undefined;

/** The ids a reader copies from the last answers into the next command. */
const copied: { submissionId?: string; messageIds: Record<string, string> } = { messageIds: {} };

beforeAll(async () => {
  for (const name of ['examples', 'config']) symlinkSync(join(projectRoot, name), join(work, name));
  gateway = await spawnGateway({ AMTSBOTE_DATA_DIR: dataDir, AMTSBOTE_DEMO_RECEIVER: 'on' });
}, 90_000);
afterAll(async () => {
  await gateway?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The shell block of the README that contains `marker`, as commands (continuation lines joined, comments dropped). */
function readmeCommands(marker: string): string[] {
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes(marker));
  if (!block) throw new Error(`README has no shell block with ${marker}`);
  return (
    block
      .replace(/\\\n\s*/g, '')
      .split('\n')
      // a trailing comment (after two spaces) is the README's explanation, not part of the command
      .map((line) => line.replace(/\s{2,}#\s.*$/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
  );
}

/** Runs one README command as a reader would after `npm start`, with the ids they copied filled in. */
function run(command: string): { status: number | null; stdout: string; stderr: string } {
  let filled = command
    .replaceAll('http://127.0.0.1:8080', gateway!.url)
    .replaceAll('npx amtsbote', `${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)}`);
  if (filled.includes('<submissionId>')) filled = filled.replaceAll('<submissionId>', copied.submissionId ?? '');
  const mailbox = /mailbox\/([a-z-]+)\/messages\/<messageId>/.exec(filled)?.[1];
  if (mailbox) filled = filled.replaceAll('<messageId>', copied.messageIds[mailbox] ?? '');
  if (filled.includes('<')) {
    // `curl -F 'submission=<file'` reads a file; any other `<placeholder>` would be a step the test cannot take.
    const placeholders = [...filled.matchAll(/<([A-Za-z]+)>/g)].map((m) => m[1]);
    if (placeholders.length > 0) throw new Error(`no value for ${placeholders.join(', ')} in: ${command}`);
  }
  const result = spawnSync('bash', ['-c', filled], {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: work },
  });
  const answer = parseJson(result.stdout);
  if (typeof answer?.submissionId === 'string' && Array.isArray(answer.destinations) && /-X POST/.test(command)) {
    copied.submissionId = answer.submissionId;
    for (const d of answer.destinations as { destinationId: string; messageId: string }[])
      copied.messageIds[d.destinationId] = d.messageId;
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const destinationsOf = (status: Record<string, unknown> | undefined) =>
  Object.fromEntries(
    ((status?.destinations ?? []) as { destinationId: string; status: string }[]).map((d) => [
      d.destinationId,
      d.status,
    ]),
  );

describe("the README's newcomer path", () => {
  it('starts the demo receiver for Chemnitz and says so in the log', () => {
    expect(gateway!.output()).toMatch(
      /"destinationId":"chemnitz-gewerbeamt","receiverUrl":"http:\/\/127\.0\.0\.1:9181\/gewerbe\/eingang".*demo receiver listening/,
    );
  });

  it('lists the options and environment variables in serve --help, the port among them', () => {
    const help = runCli(['serve', '--help']);
    expect(help.status).toBe(0);
    for (const text of [
      '--port',
      '--data-dir',
      '--no-demo-receiver',
      '--config',
      'AMTSBOTE_PORT',
      'AMTSBOTE_DATA_DIR',
      'AMTSBOTE_CONFIG',
      'AMTSBOTE_DATABASE_URL',
      'AMTSBOTE_DEMO_RECEIVER',
    ])
      expect(help.stdout).toContain(text);
  });

  it('takes the port and the data dir from serve --port and --data-dir, and starts no demo receiver with --no-demo-receiver', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) =>
      probe.close(() => {
        resolve();
      }),
    );
    const ownDataDir = join(work, 'own-data');
    const child = spawn(
      process.execPath,
      [cliPath, 'serve', '--port', String(port), '--data-dir', ownDataDir, '--no-demo-receiver'],
      {
        cwd: projectRoot,
        env: { PATH: process.env.PATH ?? '', AMTSBOTE_METRICS_PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await waitUntil(
        () => out.includes('gateway listening') || child.exitCode !== null,
        90_000,
        () => `serve did not start:\n${out}`,
      );
      expect(out).toContain(`"url":"http://127.0.0.1:${String(port)}"`);
      expect((await fetch(`http://127.0.0.1:${String(port)}/health/live`)).status).toBe(200);
      expect(existsSync(join(ownDataDir, 'amtsbote.sqlite'))).toBe(true);
      expect(out).not.toContain('demo receiver');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);

  it('"Try it": submits, reads the status and gets a 422 with a pointer, as printed', () => {
    const [submit, status, invalid, ...rest] = readmeCommands('Idempotency-Key: demo-1');
    expect(rest).toEqual([]);
    const accepted = parseJson(run(submit!).stdout);
    expect(accepted).toMatchObject({
      status: 'pending',
      statusUrl: `${gateway!.url}/v1/submissions/${String(accepted?.submissionId)}`,
    });
    expect(parseJson(run(status!).stdout)).toMatchObject({
      submissionId: accepted?.submissionId,
      history: [expect.objectContaining({ seq: 1, type: 'received' })],
    });
    const problem = parseJson(run(invalid!).stdout);
    expect(problem).toMatchObject({
      status: 422,
      errors: [expect.objectContaining({ pointer: '/data/business/address/postcode' })],
    });
  });

  it('runs the multipart example as printed', () => {
    const commands = readmeCommands('examples/multipart/');
    expect(commands).toHaveLength(1);
    const accepted = parseJson(run(commands[0]!).stdout);
    expect(accepted).toMatchObject({
      status: 'pending',
      destinations: [
        expect.objectContaining({ destinationId: 'dresden-gewerbeamt' }),
        expect.objectContaining({ destinationId: 'statistik-sachsen' }),
      ],
    });
  });

  it('accepts every valid example with 202 and refuses every invalid one with a 4xx problem', async () => {
    const examples = loadExamples();
    expect(examples.length).toBeGreaterThan(50);
    for (const example of examples) {
      const res = await postJson(gateway!.url, '/v1/submissions', example.envelope);
      if (example.invalid) {
        expect(res.status, `${example.service}/${example.file}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${example.service}/${example.file}`).toBeLessThan(500);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      } else {
        expect(res.status, `${example.service}/${example.file}: ${JSON.stringify(res.body)}`).toBe(202);
      }
    }
  }, 180_000);

  it('"The whole path on the demo": Dresden fetched from the mailbox, opened, accepted', async () => {
    const commands = readmeCommands('receiver accept message.json');
    for (const command of commands.slice(0, -1)) {
      const result = run(command);
      expect(result.status, `${command}\n${result.stderr}`).toBe(0);
    }
    expect(readdirSync(join(work, 'opened'))).toEqual(expect.arrayContaining(['data.xml', 'metadata.json']));
    const statusUrl = `/v1/submissions/${copied.submissionId ?? ''}`;
    await waitUntil(
      async () => destinationsOf((await getJson(gateway!.url, statusUrl)).body)['dresden-gewerbeamt'] === 'accepted',
      30_000,
      () => 'dresden-gewerbeamt was not accepted',
    );
    expect(destinationsOf(parseJson(run(commands.at(-1)!).stdout))['dresden-gewerbeamt']).toBe('accepted');
  }, 120_000);

  it("Chemnitz's Gewerbeamt: pushed to the demo receiver, delivered, the sealed message in the data dir", async () => {
    const [submit, list, status, ...rest] = readmeCommands('data/demo-receiver/chemnitz-gewerbeamt/');
    expect(rest).toEqual([]);
    expect(run(submit!).status).toBe(0);
    const messageId = copied.messageIds['chemnitz-gewerbeamt'];
    expect(messageId).toBeDefined();
    const statusUrl = `/v1/submissions/${copied.submissionId ?? ''}`;
    // Delivery follows the 202 asynchronously: a reader looks a moment later.
    await waitUntil(
      async () => destinationsOf((await getJson(gateway!.url, statusUrl)).body)['chemnitz-gewerbeamt'] === 'delivered',
      60_000,
      () => `chemnitz-gewerbeamt not delivered:\n${gateway!.output().slice(-2000)}`,
    );
    expect(run(list!).stdout).toContain(`${messageId!}.json`);
    expect(existsSync(join(dataDir, 'demo-receiver', 'chemnitz-gewerbeamt', `${messageId!}.json`))).toBe(true);
    expect(destinationsOf(parseJson(run(status!).stdout))['chemnitz-gewerbeamt']).toBe('delivered');
  }, 120_000);
});
