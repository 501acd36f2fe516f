import { decodeServer, encodeClient } from '../../../shared/src/codec/index';
import type { AlertMsg } from '../../../shared/src/model/index';

/**
 * The admin's alert subscription on /ws (proto/alerts.proto): its own connection, opened only
 * for an admin (this module, with the protobuf codec, is loaded on demand, so traders' bundles
 * never carry it). Alerts are pushed by the relay as they are journaled, never polled; after a
 * drop it reconnects and asks for those after the last seq it saw, so none is lost or repeated
 * while the relay still holds them (its latest 1,000).
 */
export interface AlertFeedEvents {
  alert(a: AlertMsg): void;
  status(s: 'connecting' | 'live' | 'down', detail?: string): void;
}

export interface AlertFeed {
  close(): void;
}

/** Delay before reconnecting after a drop. */
const RETRY_MS = 2_000;

export function openAlertFeed(token: () => string, on: AlertFeedEvents, base: Location = location): AlertFeed {
  let lastSeq = 0;
  let ws: WebSocket | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const url = `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}/ws`;

  const connect = () => {
    if (closed) return;
    on.status('connecting');
    const socket = new WebSocket(url, ['tickmesh', `bearer.${token()}`]);
    ws = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => socket.send(encodeClient({ type: 'subscribeAlerts', requestId: 1, sinceSeq: lastSeq }));
    socket.onmessage = (ev) => {
      if (!(ev.data instanceof ArrayBuffer)) return;
      const r = decodeServer(new Uint8Array(ev.data));
      if (!r.ok) return;
      const m = r.value;
      if (m.type === 'subscribed' && m.requestId === 1) on.status('live');
      else if (m.type === 'error' && m.requestId === 1) on.status('down', m.code);
      else if (m.type === 'alert' && m.seq > lastSeq) {
        lastSeq = m.seq;
        on.alert(m);
      }
    };
    socket.onclose = () => {
      if (ws !== socket || closed) return;
      on.status('down');
      retry = setTimeout(connect, RETRY_MS);
    };
  };
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(retry);
      ws?.close();
    },
  };
}
