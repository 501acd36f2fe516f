import { ErrorCode, encodeClient } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayOptions } from '../src/server/options';
import type { Relay } from '../src/server/relay-server';
import { JsonClient, ProtoClient, startRelay } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

async function start(overrides: Partial<RelayOptions> = {}): Promise<Relay> {
  relay = await startRelay([new ScriptedVenue('test', [testInstrument('BTC-USD'), testInstrument('ETH-USD')])], { flushMs: 3_600_000, ...overrides });
  return relay;
}

/** After any refusal the relay must still serve: a ping round trip proves the session lives. */
async function stillServes(c: ProtoClient): Promise<void> {
  c.send({ type: 'ping', requestId: 424242, nonce: 1, timeUs: 2 });
  await c.next((m) => m.type === 'pong' && m.requestId === 424242);
}

describe('bad input on /ws gets a stable code, never a crash', () => {
  it('malformed protobuf -> CODEC_MALFORMED, connection stays open', async () => {
    const r = await start();
    const c = await ProtoClient.connect(r.url);
    c.ws.send(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    await c.error(ErrorCode.CODEC_MALFORMED);
    await stillServes(c);
    c.close();
  });

  it('a message with no known body -> CODEC_UNKNOWN_MESSAGE', async () => {
    const r = await start();
    const c = await ProtoClient.connect(r.url);
    // field 99 (varint) is not part of ClientMessage's oneof; request_id alone has no body either.
    c.ws.send(Buffer.from([0x98, 0x06, 0x01]));
    await c.error(ErrorCode.CODEC_UNKNOWN_MESSAGE);
    c.ws.send(Buffer.from([0x08, 0x05]));
    const second = await c.next((m) => m.type === 'error' && m.requestId === 0 && c.received.filter((x) => x.type === 'error').length === 2);
    expect(second).toMatchObject({ code: ErrorCode.CODEC_UNKNOWN_MESSAGE });
    await stillServes(c);
    c.close();
  });

  it('a text frame on the binary endpoint -> CODEC_WRONG_FRAME_TYPE', async () => {
    const r = await start();
    const c = await ProtoClient.connect(r.url);
    c.ws.send('{"type":"subscribe"}');
    await c.error(ErrorCode.CODEC_WRONG_FRAME_TYPE);
    await stillServes(c);
    c.close();
  });

  it('an invalid field (negative quantity) -> CODEC_INVALID_FIELD', async () => {
    const r = await start();
    const c = await ProtoClient.connect(r.url);
    c.send({
      type: 'newOrder', requestId: 5, clientOrderId: 'a', symbol: 'BTC-USD', venue: '', side: 1, orderType: 1,
      timeInForce: 1, price: 100, qty: -3, postOnly: false, algo: 0, displayQty: 0, durationMs: 0,
    });
    await c.error(ErrorCode.CODEC_INVALID_FIELD);
    await stillServes(c);
    c.close();
  });

  it('an oversized frame -> CODEC_PAYLOAD_TOO_LARGE and close 1009', async () => {
    const r = await start({ maxPayloadBytes: 1024 });
    const c = await ProtoClient.connect(r.url);
    c.ws.send(Buffer.alloc(2000, 1));
    await c.error(ErrorCode.CODEC_PAYLOAD_TOO_LARGE);
    expect(await c.closed).toBe(1009);
    expect(c.closeReason).toBe(ErrorCode.CODEC_PAYLOAD_TOO_LARGE);
  });

  it('unknown symbol -> MD_UNKNOWN_SYMBOL; unknown stream -> MD_UNKNOWN_STREAM; nothing is subscribed', async () => {
    const r = await start();
    const c = await ProtoClient.connect(r.url);
    c.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USD', 'NOPE-USD'] });
    expect(await c.error(ErrorCode.MD_UNKNOWN_SYMBOL)).toMatchObject({ requestId: 1 });
    c.send({ type: 'subscribe', requestId: 2, streamIds: [1, 77], symbols: [] });
    expect(await c.error(ErrorCode.MD_UNKNOWN_STREAM)).toMatchObject({ requestId: 2 });
    await stillServes(c);
    expect(c.received.some((m) => m.type === 'subscribed' || m.type === 'bookSnapshot')).toBe(false);
    c.close();
  });

  it('a subscription flood beyond the limit -> SESSION_TOO_MANY_SUBSCRIPTIONS, earlier ones kept', async () => {
    const r = await start({ maxSubscriptions: 1 });
    const c = await ProtoClient.connect(r.url);
    c.send({ type: 'subscribe', requestId: 1, streamIds: [1], symbols: [] });
    await c.next((m) => m.type === 'bookSnapshot');
    c.send({ type: 'subscribe', requestId: 2, streamIds: [2], symbols: [] });
    expect(await c.error(ErrorCode.SESSION_TOO_MANY_SUBSCRIPTIONS)).toMatchObject({ requestId: 2 });
    // Resubscribing to a stream already held is a resync, not a new subscription.
    c.send({ type: 'subscribe', requestId: 3, streamIds: [1], symbols: [] });
    expect(await c.next((m) => m.type === 'subscribed' && m.requestId === 3)).toMatchObject({ streamIds: [1] });
    c.close();
  });

  it('a message flood -> SESSION_RATE_LIMITED for the excess, then close 4029 if it goes on', async () => {
    const r = await start({ messagesPerSecond: 10 });
    const c = await ProtoClient.connect(r.url);
    const ping = encodeClient({ type: 'ping', requestId: 0, nonce: 1, timeUs: 1 });
    for (let i = 0; i < 20; i++) c.ws.send(ping); // the burst allowance (2x rate)
    c.ws.send(ping);
    await c.error(ErrorCode.SESSION_RATE_LIMITED);
    expect(c.received.filter((m) => m.type === 'pong').length).toBeGreaterThanOrEqual(20);
    for (let i = 0; i < 100; i++) c.ws.send(ping);
    expect(await c.closed).toBe(4029);
  });

  it('hello with an unsupported protocol version -> SESSION_UNSUPPORTED_VERSION', async () => {
    const r = await start();
    const c = await ProtoClient.connect(r.url);
    c.send({ type: 'hello', requestId: 4, clientName: 't', protocolVersion: 99, token: '' });
    expect(await c.error(ErrorCode.SESSION_UNSUPPORTED_VERSION)).toMatchObject({ requestId: 4 });
    c.close();
  });

  it('keeps serving other clients while one sends garbage', async () => {
    const r = await start();
    const good = await ProtoClient.connect(r.url);
    const bad = await ProtoClient.connect(r.url);
    for (let i = 0; i < 50; i++) bad.ws.send(Buffer.from([0xff, 0xff, 0xff]));
    good.send({ type: 'subscribe', requestId: 1, streamIds: [1], symbols: [] });
    await good.next((m) => m.type === 'bookSnapshot');
    await stillServes(good);
    good.close();
    bad.close();
  });
});

describe('bad input on /ws/json', () => {
  it.each([
    ['not json at all', ErrorCode.CODEC_MALFORMED],
    ['[1,2,3]', ErrorCode.CODEC_MALFORMED],
    ['{"type":"launchRockets"}', ErrorCode.CODEC_UNKNOWN_MESSAGE],
    ['{"type":"subscribe","channel":"weather","symbol":"BTC-USD"}', ErrorCode.CODEC_INVALID_FIELD],
    ['{"type":"subscribe","channel":"book","symbol":"NOPE-USD"}', ErrorCode.MD_UNKNOWN_SYMBOL],
  ])('%s -> %s', async (text, code) => {
    const r = await start();
    const c = await JsonClient.connect(r.url);
    c.send(text);
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ type: 'error', code });
    c.send({ type: 'ping', nonce: 5 });
    expect(await c.next((m) => m.type === 'pong')).toMatchObject({ nonce: 5 });
    c.close();
  });

  it('a binary frame -> CODEC_WRONG_FRAME_TYPE', async () => {
    const r = await start();
    const c = await JsonClient.connect(r.url);
    c.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: ErrorCode.CODEC_WRONG_FRAME_TYPE });
    c.close();
  });
});
