import type { Fill, Order, Position, RiskLimits, TradingState } from '@tickmesh/shared';
import type { FetchFn } from './engine-deps';

/** One symbol's entry of GET /api/risk/limits: what the browser's pre-trade check needs. */
export interface SymbolRiskInfo {
  symbol: string;
  limits: RiskLimits;
  tradingState: TradingState;
  /** Ticks; NaN when the relay had none (JSON null). */
  referencePrice: number;
}

/** A position as GET /api/positions returns it (ticks × lots, with the relay's mark-to-market). */
export interface RestPosition extends Position {
  unrealisedPnl: number;
}

/** An HTTP failure of an /api call, with the relay's stable code when it sent one. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The relay's /api queries the worker uses, with the caller's bearer token. Each call reads
 * the token anew so a refreshed token is used from the next request on.
 */
export class RelayRest {
  constructor(
    private readonly fetchFn: FetchFn,
    private readonly origin: string,
    private readonly token: () => string,
  ) {}

  async riskLimits(): Promise<SymbolRiskInfo[]> {
    const body = await this.get<{ symbols: Array<Omit<SymbolRiskInfo, 'referencePrice'> & { referencePrice: number | null }> }>('/api/risk/limits');
    return body.symbols.map((s) => ({ ...s, referencePrice: typeof s.referencePrice === 'number' ? s.referencePrice : Number.NaN }));
  }

  async orders(): Promise<Order[]> {
    return (await this.get<{ orders: Order[] }>('/api/orders')).orders;
  }

  async fills(): Promise<Fill[]> {
    return (await this.get<{ fills: Fill[] }>('/api/fills')).fills;
  }

  async positions(): Promise<RestPosition[]> {
    return (await this.get<{ positions: RestPosition[] }>('/api/positions')).positions;
  }

  /** GET /api/tickers: every stream's last trade price (ticks; null = never traded) and 24 h figures. */
  async lastPrices(): Promise<Array<{ venue: string; symbol: string; last: number | null }>> {
    return (await this.get<{ tickers: Array<{ venue: string; symbol: string; last: number | null }> }>('/api/tickers')).tickers;
  }

  /** POST /api/auth/refresh: a fresh token for the current one. */
  async refresh(): Promise<{ token: string; expiresAt: number }> {
    return this.call<{ token: string; expiresAt: number }>('/api/auth/refresh', { method: 'POST', body: '{}' });
  }

  private get<T>(path: string): Promise<T> {
    return this.call<T>(path, { method: 'GET' });
  }

  private async call<T>(path: string, init: RequestInit): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token()}` };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetchFn(`${this.origin}${path}`, { ...init, headers });
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      // The relay answers failures as { code, message } (relay/src/server/auth/http-reply.ts).
      const err = (body as { code?: string; message?: string } | undefined) ?? {};
      throw new RestError(res.status, err.code ?? `HTTP_${res.status}`, err.message ?? `${path} answered ${res.status}`);
    }
    return body as T;
  }
}
