import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFitConnectSimulator,
  type AddedDestination,
  type FitConnectSimulator,
} from '../fixtures/fitconnect-simulator/index.js';
import { signedInPage } from '../helpers/admin-page.js';
import { launchBrowser, wcagViolations, type TestBrowser } from '../helpers/browser.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { leipzigGewerbeanmeldung } from '../helpers/fitconnect-examples.js';
import { copyFixtureKeys, type FixtureKeys } from '../helpers/fixture-keys.js';
import { leipzigSubscriberSettings } from '../helpers/fitconnect-subscriber.js';
import { adminCall, adminTokens } from '../helpers/http.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { pollValue } from '../helpers/wait.js';

/**
 * The admin page's "FIT-Connect-Eingang" tab with real Chromium and axe-core: a gateway subscribed to a simulated
 * FIT-Connect destination of Leipzig's holds one valid submission that has nowhere to go (Leipzig's Gewerbeanmeldung
 * rule is removed). The tab lists it with its state, why it waits and FIT-Connect's deadlines, shows none of the
 * applicant's personal data, and axe finds no WCAG violation.
 */
const gewerbeanmeldung = leipzigGewerbeanmeldung;
/** Personal data in the example's data.xml (names, birth place, street): none may reach the page. */
const personalData = ['Wiśniewski', 'Łukasz', 'Ørsted', 'Mette', 'Wrocław', 'Karl-Heine-Straße', 'Menckestraße'];
const callbackSecret = 'leipzig-callback-secret-for-the-page-test';

const workDir = mkdtempSync(join(tmpdir(), 'amtsbote-fc-inbox-page-'));
let sim: FitConnectSimulator;
let destination: AddedDestination;
let config: ConfigCopy;
let fixtureKeys: FixtureKeys;
let gateway: GatewayProcess;
let browser: TestBrowser;

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  const client = sim.addClient();
  destination = sim.addDestination({ subscribers: [client.clientId] });
  fixtureKeys = copyFixtureKeys();
  config = copyConfig({
    delivery: { pollMs: 50 },
    keys: fixtureKeys.keys,
    settings: leipzigSubscriberSettings(sim, client, destination, workDir),
  });
  gateway = await spawnGateway({
    AMTSBOTE_CONFIG: config.configFile,
    AMTSBOTE_DATA_DIR: join(workDir, 'data'),
    FC_SUBSCRIBER_SECRET: client.clientSecret,
    FC_CALLBACK_SECRET: callbackSecret,
  });
  sim.setCallback(destination.destinationId, {
    url: `${gateway.url}/fitconnect/callbacks/${destination.destinationId}`,
    secret: callbackSecret,
  });
  browser = await launchBrowser();
}, 120_000);
// (each may be missing when beforeAll failed: that failure is the one to see, not a TypeError here)
afterAll(async () => {
  await (browser as TestBrowser | undefined)?.close();
  await (gateway as GatewayProcess | undefined)?.stop();
  await (sim as FitConnectSimulator | undefined)?.close();
  (config as ConfigCopy | undefined)?.remove();
  (fixtureKeys as FixtureKeys | undefined)?.remove();
  rmSync(workDir, { recursive: true, force: true });
});

interface InboundEntry {
  fitConnect: { submissionId: string; caseId: string };
  state: string;
  reason?: string;
  deadlines: { reminderAt: string; automaticRejectAt: string };
}

/** Leipzig's Gewerbeanmeldung loses its routing rule: a submission for it has nowhere to go. */
async function removeLeipzigRule(): Promise<void> {
  const routing = (await adminCall(gateway.url, 'GET', '/routing', adminTokens.editor)) as unknown as {
    body: { version: number; document: { rules: { service: string; region: string }[] } };
  };
  const document = {
    ...routing.body.document,
    rules: routing.body.document.rules.filter((r) => !(r.service === '99050012104000' && r.region === '147130000000')),
  };
  const removed = await adminCall(
    gateway.url,
    'PUT',
    '/routing',
    adminTokens.editor,
    { document, note: 'admin page inbox e2e: no rule for Leipzig' },
    { 'if-match': `"${routing.body.version}"` },
  );
  expect(removed.status, JSON.stringify(removed.body)).toBeLessThan(300);
}

describe('the admin page tab "FIT-Connect-Eingang"', () => {
  it('lists a waiting FIT-Connect submission with its state and deadlines, no personal data, and is accessible', async () => {
    await removeLeipzigRule();
    const sent = await sim.sendAsOnlineService(destination.destinationId, gewerbeanmeldung);
    const entry = await pollValue(
      async () =>
        (
          (await adminCall(gateway.url, 'GET', '/inbound', adminTokens.viewer)).body as { inbound: InboundEntry[] }
        ).inbound.find((e) => e.fitConnect.submissionId === sent.submissionId),
      (e) => e?.state === 'waiting',
    );
    expect(entry, JSON.stringify(entry)).toMatchObject({ state: 'waiting', reason: 'unroutable-region' });

    const page = await signedInPage(browser, gateway.url, adminTokens.viewer);
    await page.getByRole('link', { name: 'FIT-Connect-Eingang' }).click();
    await page.getByRole('heading', { level: 1, name: 'FIT-Connect-Eingang' }).waitFor();
    const table = page.getByRole('table', { name: /Von FIT-Connect-Zustellpunkten abgeholte Einreichungen/ });
    await table.waitFor();
    expect(await page.locator('#inbound-waiting').textContent()).toBe('Warten auf Routing oder eine Abbildung: 1');

    const row = table.getByRole('row').filter({ hasText: sent.submissionId });
    expect(await row.count()).toBe(1);
    const cells = (await row.getByRole('cell').allTextContents()).map((c) => c.trim());
    expect(cells[0]).toContain(sent.submissionId);
    expect(cells[0]).toContain(`Vorgang ${sent.caseId}`);
    expect(cells[1]).toBe('147130000000');
    expect(cells[2]).toBe('wartet (kein Routing oder keine Abbildung)');
    expect(cells[3]).toBe('unroutable-region');
    expect(cells[4]).toBe('–');
    // FIT-Connect's deadlines, as the page's language writes the instants the API names
    const lang = (await page.locator('html').getAttribute('lang')) ?? undefined;
    const shown = [entry!.deadlines.reminderAt, entry!.deadlines.automaticRejectAt].map((iso) =>
      new Date(iso).toLocaleString(lang),
    );
    const deadlines = await row.getByRole('cell').nth(6).getByRole('listitem').allTextContents();
    expect(deadlines).toEqual([`Erinnerung ab ${shown[0]}`, `automatische Zurückweisung am ${shown[1]}`]);

    const text = (await page.locator('body').textContent()) ?? '';
    expect(personalData.filter((p) => text.includes(p))).toEqual([]);
    expect(await wcagViolations(page), 'FIT-Connect inbox tab').toEqual([]);
  });
});
