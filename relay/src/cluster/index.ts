export * from './subjects';
export * from './nats-connection';
export * from './md-publisher';
export * from './edge-feed';
export * from './edge-orders';
export * from './edge-upstream';
export * from './start-role';
export * from './cluster-metrics';
