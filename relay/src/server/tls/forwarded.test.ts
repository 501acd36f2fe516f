import { describe, expect, it } from 'vitest';
import { forwardedClient, isSecureRequest } from './forwarded';

describe('X-Forwarded-For / -Proto behind --trust-proxy', () => {
  it('are ignored without --trust-proxy: the socket address, and https only with our own TLS', () => {
    const headers = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' };
    expect(forwardedClient(headers, '127.0.0.1', false)).toBe('127.0.0.1');
    expect(isSecureRequest(headers, false, false)).toBe(false);
    expect(isSecureRequest({}, true, false)).toBe(true);
  });

  it('take the right-most X-Forwarded-For entry (the one our proxy appended), not a forged left one', () => {
    expect(forwardedClient({ 'x-forwarded-for': '6.6.6.6, 203.0.113.9' }, '10.0.0.2', true)).toBe('203.0.113.9');
    // HAProxy's option forwardfor adds its own header line; Node joins repeats with ", ".
    expect(forwardedClient({ 'x-forwarded-for': '6.6.6.6,2001:db8::7' }, '10.0.0.2', true)).toBe('2001:db8::7');
  });

  it('strip a port some proxies add, and fall back to the socket address on junk or nothing', () => {
    expect(forwardedClient({ 'x-forwarded-for': '203.0.113.9:5123' }, '10.0.0.2', true)).toBe('203.0.113.9');
    expect(forwardedClient({ 'x-forwarded-for': '[2001:db8::7]:5123' }, '10.0.0.2', true)).toBe('2001:db8::7');
    for (const junk of ['unknown', 'a.b.c.d', '203.0.113.9, ', '', '999.1.1.1']) expect(forwardedClient({ 'x-forwarded-for': junk }, '10.0.0.2', true), junk).toBe('10.0.0.2');
    expect(forwardedClient({}, '10.0.0.2', true)).toBe('10.0.0.2');
  });

  it('read X-Forwarded-Proto https (last value, any case) as secure behind a trusted proxy only', () => {
    expect(isSecureRequest({ 'x-forwarded-proto': 'HTTPS' }, false, true)).toBe(true);
    expect(isSecureRequest({ 'x-forwarded-proto': 'https, http' }, false, true)).toBe(false);
    expect(isSecureRequest({ 'x-forwarded-proto': 'http' }, false, true)).toBe(false);
    expect(isSecureRequest({}, false, true)).toBe(false);
  });
});
