import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { fail, ok, type Result } from '@tickmesh/shared';

/**
 * Stable codes of the relay's TLS configuration (stage RELAY_, like RELAY_DATA_DIR_IN_USE).
 * - RELAY_TLS_PAIR_INCOMPLETE: one of --tls-cert / --tls-key without the other (CLI).
 * - RELAY_TLS_UNREADABLE: a file cannot be read.
 * - RELAY_TLS_INVALID: not a PEM certificate / private key, the key is not the certificate's,
 *   or the certificate has expired.
 * - RELAY_TLS_NOT_ENABLED: a reload was asked of a relay serving plain HTTP.
 */
export const TlsCode = {
  RELAY_TLS_PAIR_INCOMPLETE: 'RELAY_TLS_PAIR_INCOMPLETE',
  RELAY_TLS_UNREADABLE: 'RELAY_TLS_UNREADABLE',
  RELAY_TLS_INVALID: 'RELAY_TLS_INVALID',
  RELAY_TLS_NOT_ENABLED: 'RELAY_TLS_NOT_ENABLED',
} as const;
export type TlsCode = (typeof TlsCode)[keyof typeof TlsCode];

/**
 * TLS 1.2 is the floor: 1.0 and 1.1 are deprecated (RFC 8996) and browsers no longer offer
 * them. Passed on every (re)load: setSecureContext() builds a fresh context from its own
 * options only, so a floor given once to createServer() would be lost on the first reload.
 */
export const TLS_MIN_VERSION = 'TLSv1.2' as const;

/** `Strict-Transport-Security` value sent on every HTTPS response: one year, no subdomains (a LAN name's siblings may well be plain HTTP). */
export const HSTS_VALUE = 'max-age=31536000';

/** Relay.start() throws this when it cannot start with its TLS configuration; `code` is a stable TlsCode. */
export class TlsStartError extends Error {
  constructor(
    readonly code: TlsCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'TlsStartError';
  }
}

/** A certificate and its private key, checked to belong together. */
export interface TlsPair {
  /** PEM bytes as read: the leaf first, then any intermediates. */
  cert: Buffer;
  key: Buffer;
  /** SHA-256 fingerprint of the leaf, colon-separated hex (as tls peerCertificate.fingerprint256). */
  fingerprint256: string;
  serialNumber: string;
  validTo: Date;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/**
 * Reads and checks a pair, so that a bad one is refused before it is ever served: both files
 * readable, a PEM certificate, a PEM private key (an encrypted key is refused: the relay has
 * no passphrase to give), the key matching the certificate, not expired, and accepted by
 * OpenSSL as a context with the TLS 1.2 floor.
 */
export async function loadTlsPair(files: TlsFiles, nowMs = Date.now()): Promise<Result<TlsPair, TlsCode>> {
  let cert: Buffer;
  let key: Buffer;
  try {
    [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
  } catch (err) {
    return fail(TlsCode.RELAY_TLS_UNREADABLE, `cannot read the TLS certificate or key: ${(err as Error).message}`);
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    return fail(TlsCode.RELAY_TLS_INVALID, `${files.certFile} is not a PEM certificate: ${(err as Error).message}`);
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) {
      return fail(TlsCode.RELAY_TLS_INVALID, `${files.keyFile} is not the private key of ${files.certFile}`);
    }
  } catch (err) {
    return fail(TlsCode.RELAY_TLS_INVALID, `${files.keyFile} is not an unencrypted PEM private key: ${(err as Error).message}`);
  }
  const validTo = new Date(x509.validTo);
  if (validTo.getTime() <= nowMs) return fail(TlsCode.RELAY_TLS_INVALID, `${files.certFile} expired on ${validTo.toISOString()}`);
  try {
    createSecureContext({ cert, key, minVersion: TLS_MIN_VERSION });
  } catch (err) {
    return fail(TlsCode.RELAY_TLS_INVALID, `OpenSSL refuses the pair: ${(err as Error).message}`);
  }
  return ok({ cert, key, fingerprint256: x509.fingerprint256, serialNumber: x509.serialNumber, validTo });
}

/** True when two pairs hold the same bytes (a file event that changed nothing). */
export function samePair(a: TlsPair, b: TlsPair): boolean {
  return a.cert.equals(b.cert) && a.key.equals(b.key);
}
