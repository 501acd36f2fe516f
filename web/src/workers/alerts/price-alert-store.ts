import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { PriceAlert } from './price-alert';

/** Where alerts live: their own database, so the recordings' schema never moves for them. */
export const PRICE_ALERT_DB_NAME = 'tickmesh-price-alerts';
const VERSION = 1;

interface AlertSchema extends DBSchema {
  alerts: { key: string; value: PriceAlert };
}

/** The alerts' persistence, as the worker's PriceAlerts uses it. */
export interface PriceAlertStore {
  load(): Promise<PriceAlert[]>;
  put(alert: PriceAlert): Promise<void>;
  delete(id: string): Promise<void>;
}

/** IndexedDB-backed store (the worker's); a browser without IndexedDB gets undefined and keeps alerts in memory. */
export async function openPriceAlertStore(name = PRICE_ALERT_DB_NAME): Promise<PriceAlertStore | undefined> {
  if (typeof indexedDB === 'undefined') return undefined;
  const db: IDBPDatabase<AlertSchema> = await openDB<AlertSchema>(name, VERSION, {
    upgrade(d) {
      d.createObjectStore('alerts', { keyPath: 'id' });
    },
  });
  return {
    load: () => db.getAll('alerts'),
    put: async (a) => void (await db.put('alerts', a)),
    delete: (id) => db.delete('alerts', id),
  };
}
