import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReloadListener } from './tls-reloader';

/**
 * TLS metrics in the relay's registry: an expired certificate is the classic TLS outage, so
 * operators alert on `tickmesh_tls_certificate_expiry_timestamp_seconds - time() < 14 * 86400`,
 * and on refused reloads (a renewal that wrote a bad pair is still serving the old one).
 */
export function tlsMetrics(registry: Registry): ReloadListener {
  const registers = [registry];
  const expiry = new Gauge({ name: 'tickmesh_tls_certificate_expiry_timestamp_seconds', help: 'notAfter of the certificate new TLS handshakes get, unix s', registers });
  const reloads = new Counter({ name: 'tickmesh_tls_reloads_total', help: 'TLS certificate loads by outcome (the first load counts as applied)', labelNames: ['result'], registers });
  return (outcome, pair) => {
    reloads.inc({ result: outcome });
    expiry.set(Math.floor(pair.validTo.getTime() / 1000));
  };
}
