export * from './side';
export * from './decimal';
export * from './instrument';
export * from './result';
export * from './codes';
export * from './market-data';
export * from './order';
export * from './messages';
