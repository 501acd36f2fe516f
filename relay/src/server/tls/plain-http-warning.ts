/** Bind addresses only this machine can reach: a browser there treats http://localhost as secure. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

/**
 * The warning to print when the relay listens beyond loopback over plain HTTP, or undefined
 * when there is nothing to warn of (loopback, our own TLS, or a TLS-terminating proxy in front
 * as `--trust-proxy` declares). Browsers grant these features to secure contexts only
 * (https:// or localhost), so a trader on another machine would get a page that half works.
 */
export function plainHttpWarning(host: string, tls: boolean, trustProxy: boolean): string | undefined {
  if (tls || trustProxy || isLoopbackHost(host)) return undefined;
  return [
    `WARNING: listening on ${host} over plain HTTP. A browser on another machine gets an insecure`,
    'page, and browsers give an insecure page:',
    '  - no service worker: the terminal cannot be installed and does not work offline;',
    '  - no crypto.subtle: the mesh cannot verify signed frames, so peers cannot share market data;',
    '  - no persistent storage: recordings may be evicted at any time.',
    'Serve TLS with --tls-cert FILE --tls-key FILE (npm run cert -- --host NAME,IP makes a LAN',
    'certificate), or put a TLS-terminating proxy in front and pass --trust-proxy.',
  ].join('\n');
}
