import type { ClientMsg, NewOrderMsg } from '../model/messages';
import { featuresFromProto } from './wire-features';
import type { CodecLimits } from './codec-limits';
import { DecodeError, invalidField } from './decode-error';
import { ErrorCode } from '../model/codes';
import {
  checkBool, checkEnum, checkId, checkInt, checkListLength, checkPositive, checkText, checkUint,
} from './field-checks';
import { ALGOS, ORDER_TYPES, SIDES, TIMES_IN_FORCE, timeInForceFromWire } from './proto-enums';
import type { tickmesh } from './proto-types';
import { conditionalFromProto, conditionalToProto } from './proto-conditional';

/**
 * Domain ClientMsg <-> generated ClientMessage properties. Decoding treats the input as
 * untrusted: every field is range-checked (see `CodecLimits`), failures throw `DecodeError`
 * which `decodeClient` turns into a value.
 */

type PbClient = tickmesh.v1.ClientMessage.$Properties;

export function clientToProto(msg: ClientMsg): PbClient {
  const requestId = msg.requestId;
  switch (msg.type) {
    case 'hello':
      return { requestId, hello: { clientName: msg.clientName, protocolVersion: msg.protocolVersion, token: msg.token, features: msg.features ?? [] } };
    case 'subscribe':
      return { requestId, subscribe: { streamIds: msg.streamIds, symbols: msg.symbols } };
    case 'unsubscribe':
      return { requestId, unsubscribe: { streamIds: msg.streamIds, symbols: msg.symbols } };
    case 'ping':
      return { requestId, ping: { nonce: msg.nonce, timeUs: msg.timeUs } };
    case 'pong':
      return { requestId, pong: { nonce: msg.nonce, timeUs: msg.timeUs } };
    case 'newOrder':
      return {
        requestId,
        newOrder: {
          clientOrderId: msg.clientOrderId, symbol: msg.symbol, venue: msg.venue, side: msg.side,
          type: msg.orderType, timeInForce: msg.timeInForce, price: msg.price, qty: msg.qty,
          postOnly: msg.postOnly, algo: msg.algo, displayQty: msg.displayQty, durationMs: msg.durationMs,
          ...conditionalToProto(msg.conditional),
        },
      };
    case 'cancelOrder':
      return { requestId, cancelOrder: { clientOrderId: msg.clientOrderId, origClientOrderId: msg.origClientOrderId } };
    case 'replaceOrder':
      return {
        requestId,
        replaceOrder: { clientOrderId: msg.clientOrderId, origClientOrderId: msg.origClientOrderId, price: msg.price, qty: msg.qty },
      };
    case 'cancelAll':
      return { requestId, cancelAll: { symbol: msg.symbol } };
    case 'mesh':
      return { requestId, mesh: msg.payload };
    case 'subscribeAlerts':
      return { requestId, subscribeAlerts: { sinceSeq: msg.sinceSeq } };
    default: {
      const never: never = msg;
      throw new Error(`unknown client message ${(never as { type: string }).type}`);
    }
  }
}

function streamIdList(v: number[] | null | undefined, field: string, limits: CodecLimits): number[] {
  const ids = v ?? [];
  checkListLength(ids.length, field, limits.maxListLength);
  for (let i = 0; i < ids.length; i++) checkPositive(ids[i], field);
  return ids;
}

function symbolList(v: string[] | null | undefined, field: string, limits: CodecLimits): string[] {
  const symbols = v ?? [];
  checkListLength(symbols.length, field, limits.maxListLength);
  for (let i = 0; i < symbols.length; i++) checkId(symbols[i], field, limits.maxIdLength, false);
  return symbols;
}

function subscription(
  body: tickmesh.v1.Subscribe.$Properties, field: string, limits: CodecLimits,
): { streamIds: number[]; symbols: string[] } {
  const streamIds = streamIdList(body.streamIds, `${field}.streamIds`, limits);
  const symbols = symbolList(body.symbols, `${field}.symbols`, limits);
  if (streamIds.length + symbols.length === 0) throw invalidField(field, 'no stream ids and no symbols');
  return { streamIds, symbols };
}

/** Maps a decoded generated message to the domain, validating every field. */
export function clientFromProto(m: tickmesh.v1.ClientMessage, limits: CodecLimits): ClientMsg {
  const requestId = checkUint(m.requestId, 'requestId');
  const id = (v: unknown, field: string, allowEmpty = false) => checkId(v ?? '', field, limits.maxIdLength, allowEmpty);
  switch (m.body) {
    case 'hello': {
      const b = m.hello!;
      return {
        type: 'hello', requestId,
        clientName: checkText(b.clientName ?? '', 'hello.clientName', limits.maxIdLength),
        protocolVersion: checkUint(b.protocolVersion ?? 0, 'hello.protocolVersion'),
        token: checkId(b.token ?? '', 'hello.token', limits.maxTokenLength, true),
        ...withFeatures(featuresFromProto(b.features, 'hello.features', limits.maxIdLength)),
      };
    }
    case 'subscribe':
      return { type: 'subscribe', requestId, ...subscription(m.subscribe!, 'subscribe', limits) };
    case 'unsubscribe':
      return { type: 'unsubscribe', requestId, ...subscription(m.unsubscribe!, 'unsubscribe', limits) };
    case 'ping':
    case 'pong': {
      const b = (m.body === 'ping' ? m.ping : m.pong)!;
      return { type: m.body, requestId, nonce: checkUint(b.nonce ?? 0, `${m.body}.nonce`), timeUs: checkUint(b.timeUs ?? 0, `${m.body}.timeUs`) };
    }
    case 'newOrder': {
      const b = m.newOrder!;
      const order: NewOrderMsg = {
        type: 'newOrder', requestId,
        clientOrderId: id(b.clientOrderId, 'newOrder.clientOrderId'),
        symbol: id(b.symbol, 'newOrder.symbol'),
        venue: id(b.venue, 'newOrder.venue', true),
        side: checkEnum(b.side ?? 0, SIDES, 'newOrder.side'),
        orderType: checkEnum(b.type ?? 0, ORDER_TYPES, 'newOrder.type'),
        timeInForce: checkEnum(timeInForceFromWire(b.timeInForce ?? 0), TIMES_IN_FORCE, 'newOrder.timeInForce'),
        price: checkInt(b.price ?? 0, 'newOrder.price'),
        qty: checkPositive(b.qty ?? 0, 'newOrder.qty'),
        postOnly: checkBool(b.postOnly ?? false, 'newOrder.postOnly'),
        algo: checkEnum(b.algo ?? 0, ALGOS, 'newOrder.algo'),
        displayQty: checkUint(b.displayQty ?? 0, 'newOrder.displayQty'),
        durationMs: checkUint(b.durationMs ?? 0, 'newOrder.durationMs'),
      };
      const conditional = conditionalFromProto(b, 'newOrder', true);
      if (conditional !== undefined) order.conditional = conditional;
      return order;
    }
    case 'cancelOrder': {
      const b = m.cancelOrder!;
      return {
        type: 'cancelOrder', requestId,
        clientOrderId: id(b.clientOrderId, 'cancelOrder.clientOrderId'),
        origClientOrderId: id(b.origClientOrderId, 'cancelOrder.origClientOrderId'),
      };
    }
    case 'replaceOrder': {
      const b = m.replaceOrder!;
      return {
        type: 'replaceOrder', requestId,
        clientOrderId: id(b.clientOrderId, 'replaceOrder.clientOrderId'),
        origClientOrderId: id(b.origClientOrderId, 'replaceOrder.origClientOrderId'),
        price: checkInt(b.price ?? 0, 'replaceOrder.price'),
        qty: checkPositive(b.qty ?? 0, 'replaceOrder.qty'),
      };
    }
    case 'cancelAll':
      return { type: 'cancelAll', requestId, symbol: id(m.cancelAll!.symbol, 'cancelAll.symbol', true) };
    case 'mesh':
      // Bounded by the frame limit; the mesh layer validates the MeshMessage itself.
      return { type: 'mesh', requestId, payload: m.mesh ?? new Uint8Array(0) };
    case 'subscribeAlerts':
      return { type: 'subscribeAlerts', requestId, sinceSeq: checkUint(m.subscribeAlerts!.sinceSeq ?? 0, 'subscribeAlerts.sinceSeq') };
    default:
      throw new DecodeError(ErrorCode.CODEC_UNKNOWN_MESSAGE, 'client message without a known body');
  }
}

/** Adds `features` only when some were sent, so a Hello without them decodes as it always did. */
function withFeatures(features: string[] | undefined): { features?: string[] } {
  return features ? { features } : {};
}
