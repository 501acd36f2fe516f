export * from './model/index';
export * from './book/index'; export * from './stream/index';
export * from './codec/index';
export * from './risk/index';
export * from './mesh/index';
