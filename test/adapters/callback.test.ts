import { describe, expect, it } from 'vitest';
import { callbackAllowed } from '../../src/adapters/callback.js';

const allowing = (...allowedHosts: string[]) => ({ secret: 'env:CALLBACK_SECRET', allowedHosts });

describe('portal callback allow-list: host and port', () => {
  it("allows a bare host on its scheme's default port only (issue 19 F5)", () => {
    const settings = allowing('portal.example');
    expect(callbackAllowed('https://portal.example/status', settings)).toBe(true);
    expect(callbackAllowed('https://portal.example:443/status', settings)).toBe(true);
    expect(callbackAllowed('http://portal.example/status', settings)).toBe(true);
    expect(callbackAllowed('https://portal.example:8443/status', settings)).toBe(false);
    expect(callbackAllowed('http://portal.example:22/', settings)).toBe(false);
    expect(callbackAllowed('http://portal.example:6379/', settings)).toBe(false);
  });

  it('allows a host with a port on that port only', () => {
    const settings = allowing('portal.example:8443');
    expect(callbackAllowed('https://portal.example:8443/status', settings)).toBe(true);
    expect(callbackAllowed('https://portal.example/status', settings)).toBe(false);
    expect(callbackAllowed('https://portal.example:8444/status', settings)).toBe(false);
  });

  it('allows any port only where the entry says so, and compares host names without case', () => {
    expect(callbackAllowed('http://127.0.0.1:39123/status', allowing('127.0.0.1:*'))).toBe(true);
    expect(callbackAllowed('http://127.0.0.1:39123/status', allowing('127.0.0.1'))).toBe(false);
    expect(callbackAllowed('https://PORTAL.example/status', allowing('Portal.Example'))).toBe(true);
    expect(callbackAllowed('https://portal.example.evil/status', allowing('portal.example'))).toBe(false);
    expect(callbackAllowed('https://user:pw@portal.example/status', allowing('portal.example'))).toBe(false);
    expect(callbackAllowed('ftp://portal.example/status', allowing('portal.example'))).toBe(false);
  });
});
