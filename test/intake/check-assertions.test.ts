import { describe, expect, it } from 'vitest';
import type { LoadedService } from '../../src/config/load.js';
import { compileAssertions } from '../../src/config/service-assertions.js';
import type { ServiceAssertion } from '../../src/config/service-schema.js';
import { checkAssertions } from '../../src/intake/check-assertions.js';

const serviceWith = (assertions: ServiceAssertion[]): LoadedService =>
  ({
    file: 'config/services/test.yaml',
    assertions: compileAssertions(assertions, 'config/services/test.yaml'),
  }) as unknown as LoadedService;
const rule = (test: string): ServiceAssertion => ({ test, pointer: '/data/date', message: 'is wrong' });

describe('service assertions', () => {
  it('read the injected clock, and $today() is its date in Germany (23:30 UTC is already tomorrow there)', async () => {
    const lateEvening = new Date('2026-11-25T23:30:00Z');
    const service = serviceWith([rule('date = $today()')]);
    expect(await checkAssertions(service, { date: '2026-11-26' }, lateEvening)).toEqual([]);
    expect(await checkAssertions(service, { date: '2026-11-25' }, lateEvening)).toEqual([
      { pointer: '/data/date', detail: 'is wrong' },
    ]);
    expect(
      await checkAssertions(
        serviceWith([rule('$now() = "2026-11-25T23:30:00.000Z" and $millis() = 1795649400000')]),
        {},
        lateEvening,
      ),
    ).toEqual([]);
  });

  it('count days between dates and add them', async () => {
    const now = new Date('2026-03-28T12:00:00Z');
    const service = serviceWith([rule('$daysBetween("2026-03-28", date) = 2 and $addDays(date, -2) = "2026-03-28"')]);
    expect(await checkAssertions(service, { date: '2026-03-30' }, now)).toEqual([]);
    expect(await checkAssertions(service, { date: '2026-03-31' }, now)).toHaveLength(1);
  });

  it('leave a rule over an absent field alone, and treat a rule that gives no boolean as a configuration fault', async () => {
    const now = new Date('2026-11-25T09:00:00Z');
    expect(await checkAssertions(serviceWith([rule('$daysBetween($today(), missing) <= 30')]), {}, now)).toEqual([]);
    await expect(checkAssertions(serviceWith([rule('"yes"')]), {}, now)).rejects.toMatchObject({
      code: 'invalid-config',
    });
  });

  it("read the envelope's attachments (id, media type, purpose, size — no file name or content) and payment", async () => {
    const now = new Date('2026-11-25T09:00:00Z');
    const photo = serviceWith([
      rule('$count($attachments[id = $data.photo and mediaType = "image/jpeg" and purpose = "attachment"]) = 1'),
    ]);
    const jpeg = { id: 'foto', filename: 'ich.jpg', mediaType: 'image/jpeg', content: '/9j/' };
    const envelope = { attachments: [jpeg], contents: new Map([['foto', Buffer.from([0xff, 0xd8, 0xff])]]) };
    expect(await checkAssertions(photo, { photo: 'foto' }, now, envelope)).toEqual([]);
    expect(await checkAssertions(photo, { photo: 'other' }, now, envelope)).toHaveLength(1);
    expect(
      await checkAssertions(photo, { photo: 'foto' }, now, { attachments: [{ ...jpeg, mediaType: 'image/png' }] }),
    ).toHaveLength(1);
    expect(await checkAssertions(photo, { photo: 'foto' }, now)).toHaveLength(1);
    const seen = serviceWith([
      rule(
        '$attachments[0].size = 3 and $not($exists($attachments[0].filename)) and $not($exists($attachments[0].content))',
      ),
    ]);
    expect(await checkAssertions(seen, {}, now, envelope)).toEqual([]);

    const paid = serviceWith([rule('$payment.status in ["booked", "paid"]')]);
    expect(await checkAssertions(paid, {}, now, { payment: { method: 'giropay', status: 'paid' } })).toEqual([]);
    expect(await checkAssertions(paid, {}, now, { payment: { method: 'giropay', status: 'failed' } })).toHaveLength(1);
    expect(await checkAssertions(paid, {}, now)).toHaveLength(1);
  });

  it('are refused at load when they do not compile, naming file and assertion', () => {
    expect(() => compileAssertions([rule('date >')], 'config/services/test.yaml')).toThrow(
      /config\/services\/test\.yaml: \/assertions\/0\/test: does not compile/,
    );
  });
});
