export { RelayOrderPeer, defaultOrderPeerOptions, type OrderPeerOptions, type AcceptChannel } from './relay-order-peer';
export { ChannelSocket, CHANNEL_HIGH_WATER_BYTES, CHANNEL_LOW_WATER_BYTES } from './channel-socket';
export { OrderChannelGuard } from './order-channel-guard';
