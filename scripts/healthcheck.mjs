// The container's HEALTHCHECK: is the relay in this container answering /healthz?
// Over HTTPS when the relay serves TLS (TLS_CERT set). The loopback name is not on the
// certificate and the CA may not be in the image, so instead of the usual chain and name
// checks the served certificate must be exactly the one in TLS_CERT (pinned): whatever
// answers with another one is not this relay, and the check fails.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

const port = Number(process.env.PORT || 8080);
const certFile = process.env.TLS_CERT;
const pinned = certFile ? new X509Certificate(readFileSync(certFile)).raw : undefined;
const get = pinned ? httpsGet : httpGet;
// rejectUnauthorized is off only because the pin below replaces the chain check.
const req = get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2500, ...(pinned ? { rejectUnauthorized: false } : {}) }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
if (pinned) {
  req.on('socket', (socket) =>
    socket.once('secureConnect', () => {
      if (!socket.getPeerCertificate().raw?.equals(pinned)) req.destroy(new Error('served certificate is not TLS_CERT'));
    }),
  );
}
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', () => process.exit(1));
