export * from './paper-broker';
export type { PaperOrderView } from './paper-order';
