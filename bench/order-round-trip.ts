/**
 * The order round trip both sides of bench/order-channel.bench.ts measure: a /ws session and an
 * order-channel session of one account, requests interleaved one at a time (so both carriers see
 * the same relay, market and load), each timed from send to its own first execution report.
 */
import { Algo, OrderType, Side, TimeInForce, decodeServer, encodeClient, type NewOrderMsg, type ServerMsg } from '@tickmesh/shared';
import { WebSocket } from 'ws';
import { OrderChannelClient, signIn } from '../relay/test/order-channel-client';

export type Carrier = { name: string; send(bytes: Uint8Array): void; onMessage(fn: (m: ServerMsg) => void): void; close(): void };

export const WS_CARRIER = '/ws (TCP)';
export const CHANNEL_CARRIER = 'order channel (WebRTC, werift)';

/** Opens both carriers to the relay at `url` for the account of `token`. */
export async function openCarriers(url: string, token: string): Promise<Carrier[]> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?access_token=${encodeURIComponent(token)}`);
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
  const channel = await OrderChannelClient.open(await signIn(url, token));
  const decoded = (d: Uint8Array, fn: (m: ServerMsg) => void) => {
    const r = decodeServer(d);
    if (r.ok) fn(r.value);
  };
  return [
    {
      name: WS_CARRIER,
      send: (b) => ws.send(b),
      onMessage: (fn) => ws.on('message', (d: Buffer) => decoded(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), fn)),
      close: () => ws.close(),
    },
    {
      name: CHANNEL_CARRIER,
      send: (b) => channel.conn.send(b),
      onMessage: (fn) => channel.conn.on('data', (d) => decoded(d instanceof Uint8Array ? d : new Uint8Array(d as ArrayBuffer), fn)),
      close: () => channel.destroy(),
    },
  ];
}

/**
 * IOC buys at `price` (far under the market: each is acknowledged and canceled at once, so no open
 * orders pile up), one at a time per carrier in turn; returns each carrier's round trips (ms) after the warm-up.
 */
export async function roundTrips(carriers: Carrier[], price: number, warmup: number, samples: number): Promise<Map<string, number[]>> {
  const waiting = new Map<string, () => void>();
  // Each carrier's own reports only: the other session gets a copy of every report too.
  for (const c of carriers) {
    c.onMessage((m) => {
      if (m.type !== 'executionReport') return;
      const key = `${c.name}|${m.clientOrderId}`;
      const w = waiting.get(key);
      if (w) (waiting.delete(key), w());
    });
  }
  const rtts = new Map<string, number[]>(carriers.map((c) => [c.name, []]));
  let n = 0;
  for (let i = 0; i < warmup + samples; i++) {
    for (const c of carriers) {
      const clientOrderId = `b${process.pid}-${++n}`;
      const msg: NewOrderMsg = { type: 'newOrder', requestId: n, clientOrderId, symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC, price, qty: 1, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0 };
      const bytes = encodeClient(msg);
      const at = performance.now();
      await new Promise<void>((resolve) => {
        waiting.set(`${c.name}|${clientOrderId}`, resolve);
        c.send(bytes);
      });
      if (i >= warmup) rtts.get(c.name)!.push(performance.now() - at);
    }
  }
  return rtts;
}
