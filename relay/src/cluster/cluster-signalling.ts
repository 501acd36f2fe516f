import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Relay } from '../server/relay-server';
import type { Signalling } from '../server/signalling/index';
import { MeshHub } from './mesh-hub';
import { PeerDirectory } from './peer-directory';
import { SignalBridge } from './signal-bridge';

/** A relay's part in the cluster's PeerJS signalling (every role): its peers in the directory, signals to other relays' peers bridged. */
export interface ClusterSignalling {
  directory: PeerDirectory;
  bridge: SignalBridge;
  stop(): void;
}

export function joinClusterSignalling(nc: NatsConnection, node: string, signalling: Signalling, log: Logger): ClusterSignalling {
  const directory = new PeerDirectory(nc, node, signalling);
  const bridge = new SignalBridge(nc, directory, signalling, log);
  bridge.start();
  directory.start();
  return {
    directory,
    bridge,
    stop: () => {
      directory.stop();
      bridge.stop();
    },
  };
}

/**
 * The node that runs market data (md, or oms with the simulator) also runs the cluster's mesh
 * hub: its coordinator takes the edges' sessions as peers, and a hello is accepted for an id
 * registered on any relay by the session's account.
 */
export function startMeshHub(nc: NatsConnection, node: string, relay: Relay, log: Logger): ClusterSignalling & { hub: MeshHub } {
  const joined = joinClusterSignalling(nc, node, relay.signalling, log);
  const { directory } = joined;
  relay.setMeshPeersElsewhere((peerId, account) => directory.holds(peerId, account));
  // Gone from every relay (not moved here): its mesh role ends, as when it leaves this relay's signalling.
  directory.onGone((peerId) => !relay.signalling.peers().some((p) => p.id === peerId) && relay.mesh.peerUnregistered(peerId));
  const hub = new MeshHub(nc, directory, relay.mesh, log);
  hub.start();
  return {
    ...joined,
    hub,
    stop: () => {
      hub.stop();
      joined.stop();
    },
  };
}
