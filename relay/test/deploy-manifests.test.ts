import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseCli, usage } from '../src/server/cli';
import type { Relay } from '../src/server/relay-server';
import { startRelay } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';

/**
 * The files an operator deploys (Dockerfile, deploy/k8s/) checked against the relay itself,
 * so they cannot drift from it: every flag and variable the manifests pass is one the relay's
 * own CLI parses, the probe paths are ones a running relay answers, the ports, volumes and
 * users agree between the image and the pod, and the drain fits in the grace period.
 */
const root = join(import.meta.dirname, '../..');
const k8sDir = join(root, 'deploy/k8s');

type Doc = { apiVersion: string; kind: string; metadata: { name: string }; spec?: any; [k: string]: unknown };

/** Every manifest, parsed as Kubernetes does (YAML 1.1: `0440` is octal). */
function manifests(): Array<{ file: string; doc: Doc }> {
  const out: Array<{ file: string; doc: Doc }> = [];
  for (const file of readdirSync(k8sDir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const d of parseAllDocuments(readFileSync(join(k8sDir, file), 'utf8'), { version: '1.1' })) {
      expect(d.errors, `${file}: ${d.errors.map((e) => e.message).join('; ')}`).toEqual([]);
      const doc = d.toJS() as Doc | null;
      if (doc) out.push({ file, doc });
    }
  }
  return out;
}

const all = manifests();
const byKind = (kind: string) => all.filter((m) => m.doc.kind === kind).map((m) => m.doc);
const statefulSet = byKind('StatefulSet')[0]!;
const pod = statefulSet.spec.template.spec;
const relayContainer = pod.containers.find((c: { name: string }) => c.name === 'relay');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

/** The Dockerfile's instructions (continuation lines joined, comments dropped). */
function instructions(text: string): Array<[string, string]> {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const i = l.indexOf(' ');
      return [l.slice(0, i).toUpperCase(), l.slice(i + 1).trim()] as [string, string];
    });
}
const docker = instructions(dockerfile);
const dockerOf = (op: string) => docker.filter(([o]) => o === op).map(([, a]) => a);

let relay: Relay;
beforeAll(async () => {
  relay = await startRelay([new ScriptedVenue('test', [testInstrument('BTC-USD')])]);
});
afterAll(async () => {
  await relay?.stop();
});

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('parse, and each names its kind, API version and name', () => {
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const { file, doc } of all) {
      expect(doc.apiVersion, file).toMatch(/^[a-z0-9.]*\/?v[0-9a-z]+$/);
      expect(doc.kind, file).toMatch(/^[A-Z][A-Za-z]+$/);
      // A Kustomization is kustomize's file, not an object in the cluster: it has no name.
      if (doc.kind !== 'Kustomization') expect(doc.metadata?.name, file).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    }
    const kustomization = byKind('Kustomization')[0]!;
    for (const r of kustomization.resources as string[]) expect(readdirSync(k8sDir)).toContain(r);
    expect(byKind('StatefulSet')).toHaveLength(1);
    expect(byKind('PodDisruptionBudget')).toHaveLength(1);
  });

  it("pass the relay only flags and variables its own CLI parses, with the container's port and data directory", () => {
    const env: Record<string, string> = {};
    for (const e of relayContainer.env ?? []) env[e.name] = e.value ?? 'from-secret';
    const parsed = parseCli(relayContainer.args, {});
    expect(parsed.kind, parsed.kind === 'error' ? parsed.message : '').toBe('run');
    if (parsed.kind !== 'run') return;
    const help = usage();
    for (const arg of relayContainer.args as string[]) if (arg.startsWith('--')) expect(help).toContain(`  ${arg} `);
    // Variables the pod sets are the CLI's or the venues' key variables (<VENUE>_API_KEY / _SECRET).
    for (const name of Object.keys(env)) {
      const venueKey = /^(BINANCE|COINBASE|KRAKEN)_API_(KEY|SECRET)$/.test(name);
      expect(venueKey || help.includes(` ${name} `), name).toBe(true);
    }
    const o = parsed.options;
    const port = relayContainer.ports.find((p: { name: string }) => p.name === 'http');
    expect(port.containerPort).toBe(o.port);
    expect(o.host).toBe('0.0.0.0');
    const dataMount = relayContainer.volumeMounts.find((m: { name: string }) => m.name === 'data');
    expect(dataMount.mountPath).toBe(o.dataDir);
    expect(statefulSet.spec.volumeClaimTemplates.map((v: Doc) => v.metadata.name)).toContain('data');
    // TLS files come from the mounted tls secret.
    const tlsMount = relayContainer.volumeMounts.find((m: { name: string }) => m.name === 'tls').mountPath;
    for (const flag of ['--tls-cert', '--tls-key']) {
      const file = relayContainer.args[relayContainer.args.indexOf(flag) + 1] as string;
      expect(file.startsWith(`${tlsMount}/`), flag).toBe(true);
    }
  });

  it('probe paths a running relay answers: /readyz for readiness, /healthz for liveness, on the named port', async () => {
    const probes = { readinessProbe: '/readyz', livenessProbe: '/healthz', startupProbe: '/healthz' } as const;
    for (const [probe, path] of Object.entries(probes)) {
      const get = relayContainer[probe].httpGet;
      expect(get.path, probe).toBe(path);
      expect(get.port, probe).toBe('http');
      expect(get.scheme, probe).toBe('HTTPS');
      expect((await fetch(`${relay.url}${path}`)).status, path).toBe(200);
    }
    // Scrape annotations point at /metrics, which answers without a token.
    const ann = statefulSet.spec.template.metadata.annotations;
    expect(ann['prometheus.io/path']).toBe('/metrics');
    expect((await fetch(`${relay.url}${ann['prometheus.io/path']}`)).status).toBe(200);
  });

  it('drain: preStop waits for the endpoints to drop the pod, and the grace period covers it and the relay stop', () => {
    const preStop = relayContainer.lifecycle.preStop.exec.command as string[];
    const waitMs = Number(/setTimeout\([^,]+,\s*(\d+)\)/.exec(preStop.join(' '))?.[1]);
    expect(waitMs).toBeGreaterThan(0);
    // serve.ts forces an exit 5 s after SIGTERM if the graceful stop has not finished.
    const serve = readFileSync(join(root, 'relay/src/server/serve.ts'), 'utf8');
    const forcedMs = Number(/setTimeout\(\(\) => process\.exit\(1\), (\d+)\)/.exec(serve)?.[1]);
    expect(forcedMs).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(waitMs + forcedMs);
    // Readiness turns 503 as the stop begins (tested in http.test.ts), so no new client lands here.
    expect(relayContainer.readinessProbe.periodSeconds * relayContainer.readinessProbe.failureThreshold * 1000).toBeLessThanOrEqual(waitMs);
  });

  it('run as the image user, non-root, read-only root, no privilege escalation, no capabilities', () => {
    const user = dockerOf('USER').at(-1)!;
    expect(user).toMatch(/^\d+(:\d+)?$/);
    const [uid, gid] = user.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBe(uid);
    if (gid !== undefined) expect(pod.securityContext.runAsGroup).toBe(gid);
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.securityContext.readOnlyRootFilesystem, c.name).toBe(true);
      expect(c.securityContext.allowPrivilegeEscalation, c.name).toBe(false);
      expect(c.securityContext.capabilities.drop, c.name).toEqual(['ALL']);
    }
    // Secret files: owner root, group fsGroup; the relay reads them through the group.
    for (const v of pod.volumes.filter((x: { secret?: unknown }) => x.secret)) expect(v.secret.defaultMode & 0o040, v.name).toBe(0o040);
    expect(relayContainer.resources.requests.cpu).toBeTruthy();
    expect(relayContainer.resources.limits.memory).toBeTruthy();
  });

  it('the Services and the budget select the pods, and target the named port', () => {
    const labels = statefulSet.spec.template.metadata.labels;
    expect(statefulSet.spec.selector.matchLabels).toEqual(labels);
    for (const svc of byKind('Service')) {
      for (const [k, v] of Object.entries(svc.spec.selector)) expect(labels[k], svc.metadata.name).toBe(v);
      for (const p of svc.spec.ports) expect(p.targetPort).toBe('http');
    }
    expect(byKind('Service').map((s) => s.metadata.name)).toContain(statefulSet.spec.serviceName);
    const pdb = byKind('PodDisruptionBudget')[0]!;
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
    expect(pdb.spec.maxUnavailable ?? 0).toBeLessThan(statefulSet.spec.replicas);
  });

  it('render with kustomize when kubectl is installed', (ctx) => {
    if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status !== 0) {
      ctx.skip('kubectl is not installed here: kustomize rendering not checked');
      return;
    }
    const rendered = execFileSync('kubectl', ['kustomize', k8sDir], { encoding: 'utf8' });
    const kinds = parseAllDocuments(rendered).map((d) => (d.toJS() as Doc).kind);
    expect(kinds.sort()).toEqual(['PodDisruptionBudget', 'Service', 'Service', 'StatefulSet']);
  });
});

describe('Dockerfile', () => {
  it('builds in one stage and runs from a second, small one, as the pod expects', () => {
    const froms = dockerOf('FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    // Both stages start from the BASE build argument, whose default is a slim image.
    const base = /^BASE=(\S+)$/.exec(dockerOf('ARG').find((a) => a.startsWith('BASE=')) ?? '')?.[1] ?? '';
    const image = (from: string) => from.split(/\s+/)[0]!.replace('${BASE}', base);
    expect(image(froms.at(-1)!)).toMatch(/slim|distroless/);
    expect(image(froms[0]!)).toBe(image(froms.at(-1)!));
    const env = Object.fromEntries(dockerOf('ENV').join(' ').split(/\s+/).filter((x) => x.includes('=')).map((kv) => kv.split('=')));
    const parsed = parseCli([], env);
    expect(parsed.kind).toBe('run');
    if (parsed.kind !== 'run') return;
    expect(dockerOf('EXPOSE')).toContain(String(parsed.options.port));
    expect(dockerOf('VOLUME').join(' ')).toContain(`"${parsed.options.dataDir}"`);
    expect(dockerOf('ENTRYPOINT')[0]).toContain('relay/dist/main.js');
    expect(dockerOf('HEALTHCHECK')[0]).toContain('healthcheck.mjs');
    expect(dockerOf('STOPSIGNAL')).toEqual(['SIGTERM']);
    // The image the pod runs is this one (the init container seeds with the same image).
    for (const c of [...pod.initContainers, ...pod.containers]) expect(c.image, c.name).toMatch(/^tickmesh-relay:/);
  });

  it('its health check passes against a live relay and fails when nothing answers', async () => {
    const script = join(root, 'scripts/healthcheck.mjs');
    // Asynchronously: the relay answering it runs in this process.
    const run = (port: string) =>
      new Promise<number | null>((resolve) => spawn(process.execPath, [script], { env: { ...process.env, PORT: port, TLS_CERT: '' }, stdio: 'ignore' }).on('exit', resolve));
    expect(await run(new URL(relay.url).port)).toBe(0);
    // Port 1: nothing listens there.
    expect(await run('1')).toBe(1);
  });
});

describe('the cluster on one host (deploy/compose)', () => {
  const composeDir = join(root, 'deploy/compose');
  const compose = parseAllDocuments(readFileSync(join(composeDir, 'compose.yaml'), 'utf8'), { merge: true })[0]!.toJS({ maxAliasCount: 100 }) as {
    services: Record<string, { image: string; command?: string[]; volumes?: string[] }>;
    volumes: Record<string, unknown>;
  };
  const relays = Object.entries(compose.services).filter(([, s]) => s.image.startsWith('localhost/tickmesh'));
  const dockerEnv = Object.fromEntries(dockerOf('ENV').join(' ').split(/\s+/).filter((x) => x.includes('=')).map((kv) => kv.split('=')));
  const parsed = (command: string[]) => {
    const r = parseCli(command, dockerEnv);
    if (r.kind !== 'run') throw new Error(r.kind === 'error' ? r.message : r.kind);
    return r.options;
  };

  it('runs two OMS nodes and two edges on one NATS with JetStream, each relay with flags its CLI parses', () => {
    const roles = relays.map(([, s]) => parsed(s.command!).role).sort();
    expect(roles).toEqual(['edge', 'edge', 'oms', 'oms']);
    const help = usage();
    for (const [name, s] of relays) for (const arg of s.command!) if (arg.startsWith('--')) expect(help, `${name} ${arg}`).toContain(`  ${arg} `);
    expect(compose.services.nats!.command).toEqual(expect.arrayContaining(['-js']));
    for (const [name, s] of relays) {
      const o = parsed(s.command!);
      expect(o.natsUrls, name).toEqual(['nats://nats:4222']);
      // One auth dir for every node (one signing secret), a data dir of its own for each.
      expect(s.volumes, name).toContain(`auth:${o.authDir}`);
      const data = s.volumes!.find((v) => v.endsWith(`:${o.dataDir}`));
      expect(data, name).toBe(`${name}:${o.dataDir}`);
      expect(compose.volumes).toHaveProperty(name);
    }
  });

  it('HAProxy checks /readyz on every edge at the port the edge listens on, and its config is valid', () => {
    const cfg = readFileSync(join(composeDir, 'haproxy.cfg'), 'utf8');
    expect(cfg).toMatch(/option httpchk GET \/readyz/);
    const servers = [...cfg.matchAll(/^\s*server \S+ (\S+):(\d+) check/gm)].map((m) => [m[1], Number(m[2])]);
    const edges = relays.filter(([, s]) => parsed(s.command!).role === 'edge');
    expect(servers).toEqual(edges.map(([name, s]) => [name, parsed(s.command!).port]));
    const haproxy = spawnSync('sh', ['-c', 'command -v haproxy || ls /usr/sbin/haproxy'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
    if (!haproxy) return;
    // The service names resolve inside compose only: checked with them on loopback.
    const local = join(mkdtempSync(join(tmpdir(), 'tickmesh-haproxy-cfg-')), 'haproxy.cfg');
    writeFileSync(local, cfg.replace(/^(\s*server \S+ )\S+:/gm, '$1127.0.0.1:'));
    const check = spawnSync(haproxy, ['-c', '-f', local], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });
});
