import { describe, expect, it } from 'vitest';
import { isLoopbackHost, plainHttpWarning } from './plain-http-warning';

describe('the plain-HTTP warning beyond loopback', () => {
  it('names what breaks off localhost when listening on every interface without TLS', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'relay.lan']) {
      const text = plainHttpWarning(host, false, false);
      expect(text, host).toBeDefined();
      // The three browser features a non-secure context loses, and the way out.
      for (const word of ['service worker', 'offline', 'crypto.subtle', 'persistent storage', '--tls-cert', 'npm run cert']) expect(text).toContain(word);
    }
  });

  it('is silent on loopback, with TLS, or behind a TLS-terminating proxy', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
      expect(plainHttpWarning(host, false, false)).toBeUndefined();
    }
    expect(plainHttpWarning('0.0.0.0', true, false)).toBeUndefined();
    expect(plainHttpWarning('0.0.0.0', false, true)).toBeUndefined();
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });
});
