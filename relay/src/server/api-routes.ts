import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, fail, type Instrument, type Result } from '@tickmesh/shared';
import { Journal, verifyJournal } from '../journal/index';
import type { MarketDataService } from '../md/market-data-service';
import { readJsonBody } from './auth/read-json-body';
import { replyFailure, replyJson, requirePrincipal, type AuthService, type Principal } from './auth/index';
import { fillView, orderView, positionView } from '../oms/rest-views';
import { createCandleRoutes } from './candle-routes';
import { iceServersFor, type IceOptions } from './ice-servers';
import { referencePrice, type Trading } from './trading';

/**
 * /api query and admin routes (auth routes live in ./auth). Traders see their own account;
 * admins may name any with `?account=`. Every admin action is journaled before it is
 * answered. Returns false for paths it does not own.
 */
export function createApiRoutes(auth: AuthService, trading: Trading, md: MarketDataService, ice: IceOptions) {
  const mark = (symbol: string) => referencePrice(md, symbol);
  const candleRoutes = createCandleRoutes(auth, md, { anomalyOf: (venue, symbol) => trading.anomalies.suspectOf(venue, symbol) });
  /** Tick and lot by symbol, looked up once per answer rather than once per row. */
  const instrumentIndex = () => {
    const bySymbol = new Map<string, Instrument>();
    for (const i of md.instruments()) if (!bySymbol.has(i.symbol)) bySymbol.set(i.symbol, i); // the first venue listing it
    return (symbol: string) => bySymbol.get(symbol);
  };

  /** The account a query is about: the caller's own, or any for an admin. */
  const accountOf = (p: Principal, url: URL): Result<string> => {
    const asked = url.searchParams.get('account');
    if (!asked || asked === p.account) return { ok: true, value: p.account };
    if (p.role !== 'admin') return fail(ErrorCode.AUTH_FORBIDDEN, 'only admins may query other accounts');
    return { ok: true, value: asked };
  };

  return async function apiRoutes(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    const get = req.method === 'GET';
    const post = req.method === 'POST';
    if (await candleRoutes(req, res, url)) return true;

    if (get && (path === '/api/orders' || path === '/api/fills' || path === '/api/positions')) {
      const p = await requirePrincipal(auth, req, 'market-data');
      if (!p.ok) return replyFailure(res, p.reason), true;
      const a = accountOf(p.value, url);
      if (!a.ok) return replyFailure(res, a.reason), true;
      const oms = trading.oms;
      const instrumentOf = instrumentIndex();
      // Money figures also in the one money unit, 1e-8 quote (the *E8 fields; README, REST).
      if (path === '/api/orders') replyJson(res, 200, { account: a.value, orders: oms.orders(a.value, { open: url.searchParams.get('open') === 'true' }).map((o) => orderView(o, instrumentOf)) });
      else if (path === '/api/fills') replyJson(res, 200, { account: a.value, fills: oms.fills(a.value).map((f) => fillView(f, instrumentOf)) });
      else replyJson(res, 200, { account: a.value, positions: oms.positions(a.value, mark).map((p) => positionView(p, mark(p.symbol), instrumentOf)) });
      return true;
    }

    if (get && path === '/api/risk/limits') {
      // What the browser's pre-trade check needs to run the same rules as the relay.
      const p = await requirePrincipal(auth, req, 'market-data');
      if (!p.ok) return replyFailure(res, p.reason), true;
      const account = p.value.account;
      const symbols = [...new Set(md.instruments().map((i) => i.symbol))];
      replyJson(res, 200, {
        account,
        symbols: symbols.map((symbol) => ({
          symbol,
          limits: trading.risk.limits(account, symbol),
          tradingState: trading.risk.tradingState(account, symbol),
          referencePrice: mark(symbol),
        })),
      });
      return true;
    }

    if (get && path === '/api/mesh/ice') {
      // STUN/TURN for the peer mesh; TURN credentials are minted per account and expire.
      const p = await requirePrincipal(auth, req, 'market-data');
      if (!p.ok) return replyFailure(res, p.reason), true;
      replyJson(res, 200, iceServersFor(p.value.account, ice, Date.now()));
      return true;
    }

    if (!path.startsWith('/api/audit') && !path.startsWith('/api/admin/')) return false;
    const p = await requirePrincipal(auth, req, 'admin');
    if (!p.ok) return replyFailure(res, p.reason), true;
    const actor = p.value.account;

    if (get && path === '/api/audit') {
      const from = Number(url.searchParams.get('from') ?? '1');
      const limit = Math.min(Number(url.searchParams.get('limit') ?? '1000'), 10_000);
      if (!Number.isSafeInteger(from) || !Number.isSafeInteger(limit) || from < 1 || limit < 1) {
        return replyFailure(res, { code: ErrorCode.CODEC_INVALID_FIELD, message: 'from and limit are positive integers' }), true;
      }
      const entries = await Journal.read(trading.journal.path);
      replyJson(res, 200, { entries: entries.slice(from - 1, from - 1 + limit), total: entries.length, headHash: trading.journal.headHash });
      return true;
    }
    if (get && path === '/api/admin/alerts') {
      // Every alert as journaled: risk (limits, repeated denials, breaker trips, kill switch),
      // surveillance (SURV_*) and market data (MD_ANOMALY_*). `?since=SEQ` gives the ones after
      // that journal seq, oldest first (a poller passes back `cursor`); without it, the latest.
      const since = url.searchParams.get('since');
      const after = since === null ? 0 : Number(since);
      if (!Number.isSafeInteger(after) || after < 0) return replyFailure(res, { code: ErrorCode.CODEC_INVALID_FIELD, message: 'since is a journal seq (an integer >= 0)' }), true;
      const entries = await Journal.read(trading.journal.path);
      const alerts = entries.filter((e) => e.seq > after && e.record.kind === 'alert');
      const page = since === null ? alerts.slice(-1000) : alerts.slice(0, 1000);
      // The last seq read: alerts past it were not on disk yet, so a poller resumes there.
      const cursor = page.length === 1000 && since !== null ? page[page.length - 1]!.seq : Math.max(after, entries[entries.length - 1]?.seq ?? 0);
      replyJson(res, 200, { alerts: page.map((e) => ({ ...e, detail: trading.alerts.detail(e.seq) })), cursor });
      return true;
    }
    if (get && path === '/api/audit/verify') {
      replyJson(res, 200, await verifyJournal(trading.journal.path));
      return true;
    }
    if (get && path === '/api/admin/risk') {
      replyJson(res, 200, trading.risk.state());
      return true;
    }
    if (post && path.startsWith('/api/admin/')) {
      const body = await readJsonBody(req, 4096);
      if (!body.ok) return replyFailure(res, body.reason), true;
      const b = (body.value ?? {}) as { account?: unknown; symbol?: unknown };
      const account = typeof b.account === 'string' && b.account !== '' ? b.account : undefined;
      const symbol = typeof b.symbol === 'string' && b.symbol !== '' ? b.symbol : undefined;
      const action = path.slice('/api/admin/'.length);
      const risk = trading.risk;
      switch (action) {
        case 'halt':
        case 'reduce':
        case 'resume':
          if (!account && !symbol) return replyFailure(res, { code: ErrorCode.CODEC_INVALID_FIELD, message: 'name an account, a symbol or both' }), true;
          await trading.admin(actor, action, `${account ?? '*'}/${symbol ?? '*'}`);
          risk.setTradingState({ account, symbol }, action === 'halt' ? 'halted' : action === 'reduce' ? 'reducing' : 'active', actor);
          if (action === 'resume' && symbol && !account) risk.clearHalt(symbol, actor);
          break;
        case 'kill':
        case 'unkill': {
          const scope = account ?? '*';
          await trading.admin(actor, action, scope);
          if (action === 'kill') risk.kill(scope, actor);
          else risk.unkill(scope, actor);
          break;
        }
        default:
          return false;
      }
      replyJson(res, 200, { ok: true, action, account: account ?? null, symbol: symbol ?? null, risk: risk.state() });
      return true;
    }
    return false;
  };
}
