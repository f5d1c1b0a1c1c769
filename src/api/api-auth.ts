import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type IORedis from 'ioredis';
import { ApiFailure } from './http-io';

/** One INFRA_API_TOKENS pair: the name recorded as the caller, and the bearer secret. */
export interface ApiToken {
  name: string;
  secret: string;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * The name of the token the request's `Authorization: Bearer` header carries. Every configured secret
 * is compared, each in constant time over equal-length digests, so neither the match nor its position
 * shows in the timing. Missing or unknown: a 401.
 */
export function authenticate(req: IncomingMessage, tokens: readonly ApiToken[]): string {
  const header = req.headers.authorization;
  const presented = typeof header === 'string' && /^Bearer [^\s]+$/i.test(header) ? header.slice(7) : undefined;
  if (!presented)
    throw new ApiFailure(
      401,
      { error: 'unauthorized', message: 'Send Authorization: Bearer <secret of one INFRA_API_TOKENS pair>.' },
      { 'www-authenticate': 'Bearer' },
    );
  const given = digest(presented);
  let caller: string | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(given, digest(token.secret)) && caller === undefined) caller = token.name;
  }
  if (caller === undefined)
    throw new ApiFailure(
      401,
      { error: 'unauthorized', message: 'This bearer token is not one of INFRA_API_TOKENS; check the secret.' },
      { 'www-authenticate': 'Bearer error="invalid_token"' },
    );
  return caller;
}

/** Window of the per-token rate limit (seconds). */
const WINDOW_SECONDS = 60;

/**
 * Counts one call of `caller` in the current minute (a Redis counter per token and minute, shared by
 * every web replica); over `perMinute`, a 429 whose Retry-After is the seconds left in the minute.
 */
export async function checkRateLimit(
  redis: IORedis,
  q: { prefix: string; caller: string; perMinute: number; nowMs: number },
): Promise<void> {
  const window = Math.floor(q.nowMs / 1000 / WINDOW_SECONDS);
  const key = `${q.prefix}:api-rate:${q.caller}:${window}`;
  const [[, count]] = (await redis
    .multi()
    .incr(key)
    .expire(key, WINDOW_SECONDS * 2)
    .exec()) as [[Error | null, number]];
  if (count <= q.perMinute) return;
  const retryAfter = Math.max(1, (window + 1) * WINDOW_SECONDS - Math.floor(q.nowMs / 1000));
  throw new ApiFailure(
    429,
    {
      error: 'rate_limited',
      message: `This token may make ${q.perMinute} calls a minute (INFRA_API_RATE_LIMIT); try again in ${retryAfter} s.`,
    },
    { 'retry-after': String(retryAfter) },
  );
}
