import { ErrorCode } from '@tickmesh/shared';
import { VenueHttpError, type VenueHttp } from '../live/venue-http';
import type { KrakenSigner } from './kraken-auth';
import { krakenErrorCode, type KrakenEnvelope } from './kraken-order-wire';

/** An "EAPI:Invalid nonce" refusal executed nothing: the call is signed anew and sent again this many times. */
const NONCE_ATTEMPTS = 3;

/** A private call that failed: a stable code, the venue's text, and whether it may still have happened. */
export class KrakenApiError extends Error {
  constructor(
    readonly code: string,
    /** For the trader: "kraken EOrder:Insufficient funds". Never matched on. */
    readonly reason: string,
    /** Sent but unanswered (no answer, connection lost, 5xx): the venue may have done it. */
    readonly outcomeUnknown = false,
    readonly retryAfterMs = 0,
  ) {
    super(`${code}: ${reason}`);
  }
}

/** Kraken Spot's private REST: POST /0/private/<method>, signed by KrakenSigner, Kraken's answers read. */
export class KrakenPrivateRest {
  constructor(
    private readonly http: VenueHttp,
    private readonly signer: KrakenSigner | undefined,
  ) {}

  /**
   * A signed private call (`AddOrder`, …): HTTP 200 with `error` is refused with the code of
   * Kraken's text; no answer, a lost connection or a 5xx is outcome-unknown. A nonce refused
   * as not increasing (another call overtook this one on the wire) executed nothing: it is
   * signed again with a new nonce and resent.
   */
  async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
    const path = `/0/private/${method}`;
    if (!this.signer) throw new KrakenApiError(ErrorCode.VENUE_NO_CREDENTIALS, 'kraken: no usable API keys');
    for (let attempt = 1; ; attempt++) {
      const { body, headers } = this.signer.request(path, params);
      let res: KrakenEnvelope<T>;
      try {
        res = await this.http.request<KrakenEnvelope<T>>('POST', path, { headers, body });
      } catch (err) {
        if (!(err instanceof VenueHttpError)) throw new KrakenApiError(ErrorCode.VENUE_BAD_RESPONSE, 'kraken: unreadable answer');
        const unknown = err.code === ErrorCode.VENUE_UNREACHABLE || err.status >= 500;
        throw new KrakenApiError(err.code, `kraken ${err.detail}${venueErrors(err.venueBody)}`, unknown, err.retryAfterMs);
      }
      const errors = Array.isArray(res.error) ? res.error.map(String) : [];
      if (errors.length === 0 && res.result !== undefined) return res.result;
      if (errors.includes('EAPI:Invalid nonce') && attempt < NONCE_ATTEMPTS) continue;
      if (errors.length === 0) throw new KrakenApiError(ErrorCode.VENUE_BAD_RESPONSE, `kraken ${method}: answer without result`);
      const code = krakenErrorCode(errors);
      if (code === ErrorCode.VENUE_RATE_LIMITED) this.http.noteRateLimited();
      throw new KrakenApiError(code, `kraken ${errors.join('; ').replace(/[^\x20-\x7e]/g, '').slice(0, 200)}`);
    }
  }
}

/** Kraken's error list from a non-2xx body, for the reason (" EGeneral:Internal error"). */
function venueErrors(body: string): string {
  try {
    const b = JSON.parse(body) as { error?: unknown };
    return Array.isArray(b.error) && b.error.length ? ` ${b.error.map(String).join('; ').slice(0, 160)}` : '';
  } catch {
    return '';
  }
}
