import { ErrorCode } from '@tickmesh/shared';

/** A REST call that failed, with a stable code; `retryAfterMs` when the venue said how long to wait. */
export class VenueHttpError extends Error {
  constructor(
    readonly code: string,
    /** What happened, without the code (for messages that add their own context). */
    readonly detail: string,
    readonly status = 0,
    readonly retryAfterMs = 0,
    /** The venue's own error body ({code,msg} on Binance), kept for the order's reason. */
    readonly venueBody = '',
  ) {
    super(`${code}: ${detail}`);
  }
}

/** Options of {@link VenueHttp}. */
export interface VenueHttpOptions {
  baseUrl: string;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Wait after a 429 without Retry-After. Default 1 s. */
  defaultRetryAfterMs?: number;
}

/**
 * JSON over HTTPS to one exchange, with its rate limits respected: a 429 (too many requests)
 * or 418 (IP banned for ignoring 429s, Binance) closes the gate until the venue's Retry-After
 * has passed, and every request in that window fails fast with VENUE_RATE_LIMITED /
 * VENUE_IP_BANNED instead of being sent. Retrying is the caller's choice, after that time.
 */
export class VenueHttp {
  private closedUntilMs = 0;
  private closedCode: string = ErrorCode.VENUE_RATE_LIMITED;
  /** Requests sent and refused at the gate; for tests and metrics. */
  sent = 0;
  held = 0;
  /**
   * Answers that told us to back off: every 429/418 here, plus the venue's own rate-limit
   * errors in a 200 body, which only its caller can read (Kraken's "EGeneral:Too many
   * requests") and counts with {@link noteRateLimited}. For metrics (VenueHealth.rateLimited).
   */
  rateLimited = 0;

  constructor(private readonly options: VenueHttpOptions) {}

  /** The venue refused a request as over its rate limit in its own way (a 200 body): counted with the 429s. */
  noteRateLimited(): void {
    this.rateLimited++;
  }

  /** Milliseconds until the gate opens again (0 = open). */
  get retryInMs(): number {
    return Math.max(0, this.closedUntilMs - performance.now());
  }

  async request<T>(method: string, path: string, init: { query?: string; headers?: Record<string, string>; body?: string } = {}): Promise<T> {
    const wait = this.retryInMs;
    if (wait > 0) {
      this.held++;
      throw new VenueHttpError(this.closedCode, `${method} ${path} held back ${Math.ceil(wait)} ms more (venue rate limit)`, 0, wait);
    }
    const url = `${this.options.baseUrl}${path}${init.query ? `?${init.query}` : ''}`;
    this.sent++;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: init.headers,
        body: init.body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      // The URL may carry a signature; the path alone is enough to know which call failed.
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs ?? 10_000} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      throw new VenueHttpError(ErrorCode.VENUE_UNREACHABLE, `${method} ${this.options.baseUrl}${path}: ${why}`);
    }
    const text = await res.text();
    if (res.status === 429 || res.status === 418) {
      this.rateLimited++;
      const retryAfterMs = retryAfter(res.headers.get('retry-after')) ?? this.options.defaultRetryAfterMs ?? 1000;
      this.closedUntilMs = performance.now() + retryAfterMs;
      this.closedCode = res.status === 418 ? ErrorCode.VENUE_IP_BANNED : ErrorCode.VENUE_RATE_LIMITED;
      throw new VenueHttpError(this.closedCode, `${method} ${path} answered ${res.status}; retry after ${retryAfterMs} ms`, res.status, retryAfterMs, text.slice(0, 200));
    }
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new VenueHttpError(ErrorCode.VENUE_BAD_RESPONSE, `${method} ${path} answered ${res.status} with non-JSON`, res.status);
    }
    if (!res.ok) throw new VenueHttpError(ErrorCode.VENUE_REJECTED, `${method} ${path} answered ${res.status}`, res.status, 0, text.slice(0, 200));
    return body as T;
  }
}

/** Retry-After in seconds (the form exchanges use) -> ms; undefined when absent or unreadable. */
function retryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const s = Number(header);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
}
