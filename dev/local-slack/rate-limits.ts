import type { ApiAnswer } from './slack-api-wire';

/**
 * A rate limit the fake enforces on one Web API method, as Slack does: a token bucket of `burst`
 * calls refilled one per `intervalMs`, per channel (chat.postMessage: about one a second per
 * channel) or for the whole workspace (tier 3 methods such as chat.update: about 50 a minute).
 * Beyond it the call is answered HTTP 429 `ratelimited` with a Retry-After in whole seconds.
 */
export interface LocalSlackRateLimit {
  intervalMs: number;
  /** Calls allowed at once after a quiet spell; default 2 (Slack tolerates short bursts). */
  burst?: number;
  /** Default `channel`. */
  scope?: 'channel' | 'workspace';
}

/** The buckets of the configured limits; `take` answers 429 when the call's bucket is empty. */
export class RateLimits {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly limits: Record<string, LocalSlackRateLimit> = {}) {}

  /** 429 when `method` is limited and its bucket is empty; otherwise takes a token and answers nothing. */
  take(method: string, params: Record<string, unknown>, now = Date.now()): ApiAnswer | undefined {
    const limit = Object.hasOwn(this.limits, method) ? this.limits[method] : undefined;
    if (limit === undefined) return undefined;
    const burst = limit.burst ?? 2;
    const channel = typeof params.channel === 'string' ? params.channel : String(params.channel_id ?? '');
    const key = limit.scope === 'workspace' ? method : `${method}:${channel}`;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) / limit.intervalMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    const retryAfter = Math.max(1, Math.ceil(((1 - bucket.tokens) * limit.intervalMs) / 1000));
    return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(retryAfter) } };
  }
}
