import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../model/codes';
import { MeshLinkTable, type MeshChannelEvents } from './mesh-link-table';
import { RELAY_PEER_ID, type MeshLinkHandler } from './mesh-transport';

function channel(readyState = 'connecting') {
  return { readyState, bufferedAmount: 0, sent: [] as Uint8Array[], send(b: Uint8Array) { this.sent.push(b); }, close() { this.readyState = 'closed'; } };
}
type Ch = ReturnType<typeof channel>;

function table() {
  const log: string[] = [];
  const handler: MeshLinkHandler = {
    onOpen: (p) => log.push(`open ${p}`),
    onMessage: (p, b) => log.push(`msg ${p} ${b.length}`),
    onClose: (p, code) => log.push(`close ${p} ${code}`),
    onDrain: (p) => log.push(`drain ${p}`),
  };
  const dials: string[] = [];
  const hangUps: string[] = [];
  const relay: Uint8Array[] = [];
  const links = new MeshLinkTable<Ch>({ dial: (p) => dials.push(p), hangUp: (p) => hangUps.push(p), sendRelay: (b) => relay.push(b) });
  links.handler = handler;
  const add = (peerId: string, ch: Ch) => {
    let ev!: MeshChannelEvents;
    links.add(peerId, ch, (e) => (ev = e));
    return ev;
  };
  return { links, log, dials, hangUps, relay, add };
}

describe('MeshLinkTable', () => {
  it('dials once, opens the neighbour once for two channels, closes it with the last one', () => {
    const { links, log, dials, add } = table();
    for (let i = 0; i < 2; i++) links.connect('a');
    expect(dials).toEqual(['a']);
    const [x, y] = [channel(), channel('open')];
    const ex = add('a', x);
    const ey = add('a', y);
    expect(log).toEqual(['open a']);
    x.readyState = 'open';
    ex.open();
    ex.message(new Uint8Array(3));
    ey.drain();
    links.send('a', new Uint8Array(2));
    expect(y.sent).toHaveLength(1);
    expect(links.bytesToPeers).toBe(2);
    y.readyState = 'closed';
    ey.closed();
    expect(links.isOpen('a')).toBe(true);
    x.readyState = 'closed';
    ex.closed();
    expect(links.isOpen('a')).toBe(false);
    expect(log).toEqual(['open a', 'msg a 3', 'drain a', `close a ${ErrorCode.MESH_PEER_CLOSED}`]);
    expect(links.medianSetupMs()).toBeGreaterThanOrEqual(0);
  });

  it('routes the relay link to the layer and reports a failed dial as a close', () => {
    const { links, log, relay, dials, hangUps } = table();
    links.send(RELAY_PEER_ID, new Uint8Array(1));
    expect(relay).toHaveLength(1);
    expect(links.isOpen(RELAY_PEER_ID)).toBe(true);
    links.connect('b');
    links.connectFailed('b');
    links.connect('b');
    expect(dials).toEqual(['b', 'b']);
    expect(log).toEqual([`close b ${ErrorCode.MESH_PEER_CLOSED}`]);
    links.disconnect('b', ErrorCode.MESH_LEAVING);
    expect(hangUps).toEqual(['b']);
  });

  it('replays open neighbours to a new handler', () => {
    const { links, log, add } = table();
    links.handler = undefined;
    add('c', channel('open'));
    expect(log).toEqual([]);
    links.handler = { onOpen: (p) => log.push(`open ${p}`), onMessage() {}, onClose() {}, onDrain() {} };
    links.reopen();
    expect(log).toEqual(['open c']);
    expect(links.neighbours()).toEqual(['c']);
  });
});
