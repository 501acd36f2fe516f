/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { TerminalEngine } from './terminal-engine';
import type { TerminalFrame, TerminalWorkerApi } from './terminal-api';

/**
 * The market-data worker: owns the relay connection and all decoding, book keeping and risk
 * checks off the main thread (DESIGN.md house style 7), and exposes `TerminalWorkerApi`
 * through comlink. The logic lives in TerminalEngine; this shell only binds it to the
 * browser's WebSocket and fetch and hands frame arrays over as transferables (moved, not
 * copied: the engine made them for this one frame and keeps its own working arrays).
 *
 * UI: `Comlink.wrap<TerminalWorkerApi>(new Worker(new URL('./workers/market-data.worker.ts',
 * import.meta.url), { type: 'module' }))`.
 */
const engine = new TerminalEngine({ WebSocket: globalThis.WebSocket, fetch: globalThis.fetch.bind(globalThis) });

const api: TerminalWorkerApi = {
  connect: (options) => engine.connect(options),
  disconnect: () => engine.disconnect(),
  setView: (view) => engine.setView(view),
  setSideDesks: (pins) => engine.setSideDesks(pins),
  frame: async () => {
    const f = await engine.frame();
    return Comlink.transfer(f, transferables(f));
  },
  placeOrder: (order) => engine.placeOrder(order),
  cancelOrder: (clientOrderId) => engine.cancelOrder(clientOrderId),
  replaceOrder: (clientOrderId, price, qty) => engine.replaceOrder(clientOrderId, price, qty),
  cancelAll: (symbol) => engine.cancelAll(symbol),
  addPriceAlert: (request) => engine.addPriceAlert(request),
  removePriceAlert: (id) => engine.removePriceAlert(id),
  stats: () => engine.stats(),
  // The mesh: `links` is a comlink proxy to the main thread's PeerJS; channels arrive transferred.
  setMesh: (peerId, links) => engine.setMesh(peerId, links),
  meshChannel: (peerId, channel) => engine.meshChannel(peerId, channel),
  meshConnectFailed: (peerId) => engine.meshConnectFailed(peerId),
  meshToken: () => engine.meshToken(),
  meshTimings: (streamId) => engine.meshTimings(streamId),
  // The order channel: `link` is a comlink proxy to the main thread's PeerJS DataConnection.
  setOrderChannel: (link) => engine.setOrderChannel(link),
  orderChannelData: (data) => engine.orderChannelData(data),
  orderRouteStats: () => engine.orderRouteStats(),
  // Recording and replay: IndexedDB lives here, next to the frames.
  setRecording: (on) => engine.setRecording(on),
  setRetention: (options) => engine.setRetention(options),
  setPersisted: (persisted) => engine.setPersisted(persisted),
  listRecordings: () => engine.listRecordings(),
  deleteRecording: (id) => engine.deleteRecording(id),
  exportRecording: (id) => engine.exportRecording(id),
  importRecording: (file, name, options) => engine.importRecording(file, name, options),
  startReplay: (request) => engine.startReplay(request),
  replayControl: (control) => engine.replayControl(control),
  stopReplay: () => engine.stopReplay(),
  replayHashes: () => engine.replayHashes(),
  recordedHashes: (id) => engine.recordedHashes(id),
};

function transferables(f: TerminalFrame): ArrayBuffer[] {
  const l = f.ladder;
  const out = [l.bidPrice.buffer, l.bidSize.buffer, l.askPrice.buffer, l.askSize.buffer] as ArrayBuffer[];
  if (l.bidVenueMask !== undefined) out.push(l.bidVenueMask.buffer as ArrayBuffer);
  if (l.askVenueMask !== undefined) out.push(l.askVenueMask.buffer as ArrayBuffer);
  // Each side desk's ladder is its own fresh copy too.
  for (const { ladder: d } of f.sideDesks) out.push(...([d.bidPrice.buffer, d.bidSize.buffer, d.askPrice.buffer, d.askSize.buffer] as ArrayBuffer[]));
  return out;
}

Comlink.expose(api);
