export * from './tls-pair';
export * from './tls-reloader';
export * from './forwarded';
export * from './plain-http-warning';
export * from './tls-metrics';
