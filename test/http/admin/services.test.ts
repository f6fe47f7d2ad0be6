import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { adminCall, adminTokens } from '../../helpers/http.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

interface Entry {
  key: string;
  name: string;
  source: { kind: string };
  regions: { region: string; destinations: { id: string }[] }[];
}

describe('GET /admin/v1/services', () => {
  it("lists every service with source, standard and destinations per region, within the admin's regions", async () => {
    const all = await adminCall(gw.url, 'GET', '/services', adminTokens.viewer);
    expect(all.status).toBe(200);
    const services = all.body.services as Entry[];
    expect(services.map((s) => s.key).sort()).toEqual([...gw.config.services.keys()].sort());
    const parking = services.find((s) => s.key === '99108001001000')!;
    expect(parking.source).toEqual({ kind: 'hand-made' });
    expect(parking.regions.map((r) => r.region)).toEqual(['145110000000', '146120000000', '147130000000']);

    const leipzig = await adminCall(gw.url, 'GET', '/services', adminTokens.leipzigEditor);
    const leipzigParking = (leipzig.body.services as Entry[]).find((s) => s.key === '99108001001000')!;
    expect(leipzigParking.regions).toEqual([
      { region: '147130000000', destinations: [expect.objectContaining({ id: 'leipzig-bewohnerparkausweis' })] },
    ]);
  });

  it('needs an admin token', async () => {
    expect((await adminCall(gw.url, 'GET', '/services', 'wrong')).status).toBe(401);
  });
});
