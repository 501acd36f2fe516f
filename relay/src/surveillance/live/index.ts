export * from './alert-desk';
export * from './surveilled-journal';
export * from './watch-market-data';
export * from './alert-message';
