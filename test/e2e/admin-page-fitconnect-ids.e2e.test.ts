import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { signedInPage } from '../helpers/admin-page.js';
import { launchBrowser, wcagViolations, type TestBrowser } from '../helpers/browser.js';
import { copyFixtureKeys, type FixtureKeys } from '../helpers/fixture-keys.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { routeLeipzigToSimulator } from '../helpers/fitconnect.js';
import { adminCall, adminTokens, getJson, postJson } from '../helpers/http.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { pollValue } from '../helpers/wait.js';

/**
 * Issue 22 item 6 between real processes: Leipzig's Gewerbeanmeldung goes to its file drop and to a FIT-Connect
 * destination of the simulated delivery service. The ids the delivery service assigned appear for the
 * FIT-Connect destination — in the portal's status, the admin API and on the admin page — and for no other.
 */
const gmbh = loadExamples().find((e) => e.file === 'leipzig-gmbh.json')!;
const fitDestination = 'leipzig-fitconnect';
const fileDestination = 'leipzig-gewerbeamt';
let fixtureKeys: FixtureKeys;
const workDir = mkdtempSync(join(tmpdir(), 'amtsbote-fitconnect-ids-'));
let sim: FitConnectSimulator;
let config: ConfigCopy;
let gateway: GatewayProcess;
let browser: TestBrowser;

interface DestinationStatus {
  destinationId: string;
  messageId: string;
  status: string;
  fitConnect?: { submissionId: string; caseId: string };
}

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  // The test fixtures' gateway keys (owner-only copies): no RSA-4096 generation per gateway start.
  fixtureKeys = copyFixtureKeys();
  config = copyConfig({
    delivery: { pollMs: 50 },
    keys: fixtureKeys.keys,
  });
  routeLeipzigToSimulator(config, sim, fitDestination, [fileDestination]);
  gateway = await spawnGateway({
    AMTSBOTE_CONFIG: config.configFile,
    AMTSBOTE_DATA_DIR: join(workDir, 'data'),
    FITCONNECT_CLIENT_SECRET: sim.clientSecret,
  });
  browser = await launchBrowser();
}, 120_000);
// (each may be missing when beforeAll failed: that failure is the one to see, not a TypeError here)
afterAll(async () => {
  await (browser as TestBrowser | undefined)?.close();
  await (gateway as GatewayProcess | undefined)?.stop();
  await (sim as FitConnectSimulator | undefined)?.close();
  (config as ConfigCopy | undefined)?.remove();
  rmSync(workDir, { recursive: true, force: true });
  (fixtureKeys as FixtureKeys | undefined)?.remove();
});

describe('FIT-Connect ids, visible for support', () => {
  it('shows the submission and case id in the portal status and the admin API for the FIT-Connect destination only, and on the accessible admin page', async () => {
    const accepted = await postJson(gateway.url, '/v1/submissions', { ...gmbh.envelope, reference: 'FIT-IDS-1' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const submissionId = accepted.body.submissionId as string;
    const status = await pollValue(
      async () =>
        (await getJson(gateway.url, `/v1/submissions/${submissionId}`)).body as {
          destinations: DestinationStatus[];
        },
      (s) => s.destinations.every((d) => d.status === 'delivered'),
    );
    const submitted = [...sim.submissions.values()].find((s) => s.state === 'submitted');
    expect(submitted).toBeDefined();
    const ids = { submissionId: submitted!.submissionId, caseId: submitted!.caseId };

    const byId = new Map(status.destinations.map((d) => [d.destinationId, d]));
    expect(byId.get(fitDestination)).toMatchObject({ status: 'delivered', fitConnect: ids });
    expect(byId.get(fileDestination)?.status).toBe('delivered');
    expect(byId.get(fileDestination)).not.toHaveProperty('fitConnect');

    const fitMessage = byId.get(fitDestination)!.messageId;
    const fileMessage = byId.get(fileDestination)!.messageId;
    const fitView = await adminCall(gateway.url, 'GET', `/deliveries/${fitMessage}`, adminTokens.viewer);
    expect(fitView.body).toMatchObject({ id: fitMessage, state: 'delivered', fitConnect: ids });
    const fileView = await adminCall(gateway.url, 'GET', `/deliveries/${fileMessage}`, adminTokens.viewer);
    expect(fileView.body.state).toBe('delivered');
    expect(fileView.body).not.toHaveProperty('fitConnect');

    const page = await signedInPage(browser, gateway.url, adminTokens.viewer);
    await page.getByRole('link', { name: 'Zustellungen' }).click();
    await page.locator('#deliveries-table').getByRole('button', { name: fitMessage }).click();
    const section = page.getByRole('region', { name: 'Kennungen bei FIT-Connect' });
    await section.waitFor();
    expect(await page.locator('#fitconnect-submission').textContent()).toBe(ids.submissionId);
    expect(await page.locator('#fitconnect-case').textContent()).toBe(ids.caseId);
    // Labelled as what they are: a description list whose terms name each id.
    expect(await section.locator('dt').allTextContents()).toEqual(['Submission-ID', 'Case-ID (Vorgang)']);
    expect(await wcagViolations(page), 'delivery details with FIT-Connect ids').toEqual([]);

    // The file destination's details have no such section.
    await page.locator('#deliveries-table').getByRole('button', { name: fileMessage }).click();
    await page.getByRole('heading', { name: `Versuche für ${fileMessage}` }).waitFor();
    expect(await page.locator('#fitconnect-ids').count()).toBe(0);
  });
});
