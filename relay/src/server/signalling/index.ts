export { createSignalling, type Signalling, type PeerEvent, type SignallingStats, type LocalPeer, type RemotePeers, type RelayedSignal } from './signalling-server';
export { defaultSignallingOptions, resolveSignallingOptions, type SignallingOptions } from './signalling-options';
export type { PeerInfo } from './signalling-peer';
export { PeerjsType, type ServerSignal } from './peerjs-protocol';
export { PeerIds } from './peer-id';
export { SignalCloseCode, signalError, type SignalError } from './signal-error';
