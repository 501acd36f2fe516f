import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeTableReceiver, NodeTableSender } from '../src/cluster/node-table';
import { until } from './harness';
import { NatsKit, natsServerBinary } from './nats-kit';

const binary = natsServerBinary();
if (!binary) console.warn('cluster-node-table.test.ts skipped: nats-server is not installed (scripts/ensure-system-deps.sh installs it)');

const SUBJECT = 'tickmesh.test.table';

describe.skipIf(!binary)('node tables over NATS (the peer directory and session presence)', () => {
  let nats: NatsKit;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await NatsKit.start(binary!);
    nc = await connect({ servers: [nats.url] });
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.kill();
  });

  it('changes arrive as they happen, a heartbeat without an entry removes it, and a silent node is forgotten with its entries', async () => {
    const held = new Map<string, number>();
    const a = new NodeTableSender<number>(nc, SUBJECT, 'node-a', 100, () => [...held]);
    let now = 0;
    const removed: string[] = [];
    const gone: string[] = [];
    const rx = new NodeTableReceiver<number>(nc, SUBJECT, { self: 'node-rx', ttlMs: 1000, sweepMs: 20, isValue: (v): v is number => typeof v === 'number', nowMs: () => now });
    rx.onRemoved((key, node) => removed.push(`${node}:${key}`));
    rx.onNodeGone((node) => gone.push(node));
    rx.start();
    await nc.flush();
    const entries = () => new Map([...rx.tables()].find(([n]) => n === 'node-a')?.[1] ?? []);

    held.set('x', 1);
    a.start();
    await until(() => entries().get('x') === 1, 5000, 'the first heartbeat');
    held.set('y', 2);
    a.set('y', 2);
    a.set('x', 3); // two changes in one turn: one message, both applied
    held.set('x', 3);
    await until(() => entries().get('y') === 2 && entries().get('x') === 3, 5000, 'the changes');
    held.delete('y');
    a.remove('y');
    await until(() => removed.includes('node-a:y'), 5000, 'the removal');
    // Dropped without a change message (a lost publish): the next heartbeat removes it.
    held.delete('x');
    await until(() => removed.includes('node-a:x'), 5000, 'removed by the heartbeat');
    expect(rx.isAlive('node-a')).toBe(true);

    held.set('z', 5);
    a.set('z', 5);
    await until(() => entries().get('z') === 5, 5000, 'z');
    a.stop();
    now += 2000; // past the TTL with no word from node-a
    await until(() => gone.includes('node-a'), 5000, 'node-a forgotten');
    expect(removed).toContain('node-a:z');
    expect(rx.isAlive('node-a')).toBe(false);
    rx.stop();
  });

  it("a node's own messages and values of the wrong kind are ignored", async () => {
    const rx = new NodeTableReceiver<number>(nc, SUBJECT, { self: 'me', ttlMs: 1000, sweepMs: 50, isValue: (v): v is number => typeof v === 'number' });
    rx.start();
    await nc.flush();
    const mine = new NodeTableSender<number>(nc, SUBJECT, 'me', 1000, () => [['k', 1]]);
    mine.start();
    nc.publish(SUBJECT, JSON.stringify({ node: 'other', set: [['k', 'not a number'], ['j', 4]], remove: [], full: false }));
    nc.publish(SUBJECT, 'not json');
    await until(() => rx.isAlive('other'), 5000, 'the other node heard');
    await nc.flush();
    expect(rx.isAlive('me')).toBe(false);
    expect([...[...rx.tables()].find(([n]) => n === 'other')![1]]).toEqual([['j', 4]]);
    mine.stop();
    rx.stop();
  });
});
