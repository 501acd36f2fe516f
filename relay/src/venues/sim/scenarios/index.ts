export * from './scenario-names';
export * from './scenario-actor';
export * from './sim-scenario';
export * from './relay-scenario';
