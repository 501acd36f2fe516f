/**
 * The relay's own peer on its PeerJS signalling server (`/peerjs`): browsers open a data
 * connection to it to send orders and receive execution reports over WebRTC, with the same
 * protobuf ClientMessage / ServerMessage frames as `/ws`. Not of the `<tag>-<suffix>` form of
 * account ids (its first half is not 16 hex digits), so no account can ever register it; it
 * passes the peerjs client's own id check (letters, digits, one dash).
 */
export const RELAY_ORDER_PEER_ID = 'tickmesh-relay';

/**
 * `peer.connect(RELAY_ORDER_PEER_ID, ORDER_CHANNEL_CONNECT_OPTIONS)`: `raw` hands each frame
 * over as it is (one protobuf message per data-channel message, no PeerJS framing), and
 * `reliable` makes PeerJS open an ordered, fully retransmitted channel (orders are never lost
 * nor reordered). The relay refuses any other combination.
 */
export const ORDER_CHANNEL_CONNECT_OPTIONS = { serialization: 'raw', reliable: true, label: 'tickmesh-orders' } as const;
