import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../helpers/examples.js';
import { adminCall, adminTokens, postJson, testFetch } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';
import { runCli, spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { pollValue, processBoundMs } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'amtsbote-routing-'));
const dataDir = join(dir, 'data');
const env = { AMTSBOTE_DATA_DIR: dataDir };
/** Every gateway a test started: a test that fails half-way leaves none running (it would hold the data dir). */
const started: GatewayProcess[] = [];
async function start(): Promise<GatewayProcess> {
  const gateway = await spawnGateway(env);
  started.push(gateway);
  return gateway;
}
afterAll(async () => {
  for (const gateway of started) await gateway.stop();
  rmSync(dir, { recursive: true, force: true });
});

const leipzig = loadExamples().find(
  (e) => !e.invalid && e.envelope.serviceKey === '99050012104000' && e.envelope.regionKey === '147130000000',
)!;

async function destinationsOf(url: string) {
  const res = await postJson(url, '/v1/submissions', leipzig.envelope);
  expect(res.status).toBe(202);
  return (res.body.destinations as { destinationId: string }[]).map((d) => d.destinationId);
}

describe('routing import versus restart', () => {
  it(
    'seeds once, imports explicitly, and a restart never overrides the stored version',
    async () => {
      let gateway = await start();
      expect(await destinationsOf(gateway.url)).toEqual(['leipzig-gewerbeamt']);
      await gateway.stop();

      const file = join(dir, 'routing-new.yaml');
      const changed = readFileSync(join(projectRoot, 'config/routing.yaml'), 'utf8').replace(
        'region: "147130000000", destinations: [leipzig-gewerbeamt] }   # Gewerbeanmeldung',
        'region: "147130000000", destinations: [leipzig-gewerbeamt, statistik-sachsen] }   # Gewerbeanmeldung',
      );
      writeFileSync(file, changed);
      expect(runCli(['routing', 'import', file], env).status).toBe(1); // --note is required
      const imported = runCli(
        ['routing', 'import', file, '--note', 'Leipzig meldet an Statistik', '--author', 'test'],
        env,
      );
      expect(imported.status, imported.stderr).toBe(0);
      expect(imported.stdout).toContain('routing version 2');
      expect(runCli(['routing', 'import', file, '--note', 'again'], env).stderr).toContain('identical');

      gateway = await start();
      expect(await destinationsOf(gateway.url)).toEqual(['leipzig-gewerbeamt', 'statistik-sachsen']);
      const versions = await adminCall(gateway.url, 'GET', '/routing/versions', adminTokens.viewer);
      expect((versions.body.versions as { version: number; author: string; note: string }[])[0]).toMatchObject({
        version: 2,
        author: 'test',
        note: 'Leipzig meldet an Statistik',
      });
      // audited like a change through the admin API
      const audit = await adminCall(gateway.url, 'GET', '/audit', adminTokens.viewer);
      expect(
        (audit.body.entries as { action: string; actor: string; detail: Record<string, unknown> }[])[0],
      ).toMatchObject({
        action: 'routing.change',
        actor: 'test',
        detail: {
          version: 2,
          note: 'Leipzig meldet an Statistik',
          imported: 'routing-new.yaml',
          diff: { rules: { changed: [expect.stringContaining('147130000000')] } },
        },
      });
      await gateway.stop();

      // routing.yaml is unchanged on disk: a restart keeps version 2
      gateway = await start();
      expect(await destinationsOf(gateway.url)).toEqual(['leipzig-gewerbeamt', 'statistik-sachsen']);
      await gateway.stop();
    },
    6 * processBoundMs,
  ); // three starts and three stops, each bounded on its own

  it('refuses an invalid file with file, pointer and reason', () => {
    const file = join(dir, 'routing-broken.yaml');
    writeFileSync(
      file,
      readFileSync(join(projectRoot, 'config/routing.yaml'), 'utf8').replace(
        'destinations: [chemnitz-gewerbeamt]',
        'destinations: [chemnitz-nirgends]',
      ),
    );
    const result = runCli(['routing', 'import', file, '--note', 'broken'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('routing-broken.yaml');
    expect(result.stderr).toContain('unknown destination "chemnitz-nirgends"');
  });

  it('explains a route from the command line', () => {
    const result = runCli(['route', '99050012104000', '147130000000'], env);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('routing version 2');
    expect(result.stdout).toContain('→ statistik-sachsen');
    const none = runCli(['route', '99050012104000', '146270000000', '--at', '2027-01-01'], env);
    expect(none.status).toBe(2);
    expect(none.stdout).toContain('no rule');
  });
});

describe('portals from the command line', () => {
  it(
    'adds a portal whose token works at once, and rotates it with overlap',
    async () => {
      const gateway = await start();
      try {
        const added = runCli(
          [
            'portal',
            'add',
            'landkreis-portal',
            '--services',
            '99050012104000',
            '--regions',
            '14713',
            '--name',
            'Testportal',
          ],
          env,
        );
        expect(added.status, added.stderr).toBe(0);
        const token = /\n(abt_[A-Za-z0-9_-]{43})/.exec(added.stdout)?.[1];
        expect(token).toBeDefined();
        expect(readFileSync(join(dataDir, 'amtsbote.sqlite')).includes(token!)).toBe(false);
        const submitWith = async (t: string) =>
          (await postJson(gateway.url, '/v1/submissions', leipzig.envelope, { authorization: `Bearer ${t}` })).status;
        // every instance learns of a new token from the store within moments
        expect(
          await pollValue(
            () => submitWith(token!),
            (status) => status === 202,
            undefined,
            200,
          ),
        ).toBe(202);

        const rotated = runCli(['portal', 'rotate-token', 'landkreis-portal'], env);
        expect(rotated.status, rotated.stderr).toBe(0);
        const fresh = /\n(abt_[A-Za-z0-9_-]{43})/.exec(rotated.stdout)?.[1];
        expect(fresh).toBeDefined();
        expect(
          await pollValue(
            () => submitWith(fresh!),
            (status) => status === 202,
            undefined,
            200,
          ),
        ).toBe(202);
        expect(await submitWith(token!)).toBe(202);
        expect(runCli(['portal', 'add', 'landkreis-portal', '--services', '*', '--regions', '14'], env).status).toBe(1);
      } finally {
        await gateway.stop();
      }
    },
    4 * processBoundMs,
  ); // a start, two waits and a stop, each bounded on its own
});

describe('routing changes while the gateway runs', () => {
  it(
    'routes by a PUT at once, keeps earlier submissions as they were, and picks up an import within seconds',
    async () => {
      const gateway = await start();
      try {
        const earlier = await postJson(gateway.url, '/v1/submissions', leipzig.envelope);
        const earlierDestinations = (earlier.body.destinations as { destinationId: string }[]).map(
          (d) => d.destinationId,
        );

        const current = await adminCall(gateway.url, 'GET', '/routing', adminTokens.editor);
        const document = current.body.document as {
          rules: { service: string; region: string; destinations: string[] }[];
        };
        document.rules.find((r) => r.service === '99050012104000' && r.region === '147130000000')!.destinations = [
          'leipzig-gewerbeamt',
        ];
        const put = await adminCall(
          gateway.url,
          'PUT',
          '/routing',
          adminTokens.editor,
          { note: 'nur noch das Gewerbeamt', document },
          { 'if-match': current.headers.get('etag')! },
        );
        expect(put.status, JSON.stringify(put.body)).toBe(200);
        expect(await destinationsOf(gateway.url)).toEqual(['leipzig-gewerbeamt']);
        const again = await testFetch(`${gateway.url}/v1/submissions/${earlier.body.submissionId as string}`, {
          headers: { authorization: 'Bearer amt24-demo-token' },
        });
        expect(
          ((await again.json()) as { destinations: { destinationId: string }[] }).destinations.map(
            (d) => d.destinationId,
          ),
        ).toEqual(earlierDestinations);

        const file = join(dir, 'routing-while-running.yaml');
        writeFileSync(
          file,
          readFileSync(join(projectRoot, 'config/routing.yaml'), 'utf8').replace(
            'region: "147130000000", destinations: [leipzig-gewerbeamt] }   # Gewerbeanmeldung',
            'region: "147130000000", destinations: [statistik-sachsen] }   # Gewerbeanmeldung',
          ),
        );
        expect(runCli(['routing', 'import', file, '--note', 'während des Betriebs'], env).status).toBe(0);
        const seen = await pollValue(
          () => destinationsOf(gateway.url),
          (destinations) => destinations[0] === 'statistik-sachsen',
          undefined,
          250,
        );
        expect(seen).toEqual(['statistik-sachsen']);
      } finally {
        await gateway.stop();
      }
    },
    3 * processBoundMs,
  ); // a start, a wait and a stop, each bounded on its own
});
