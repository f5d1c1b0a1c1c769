import { createHmac, timingSafeEqual } from 'node:crypto';

/** The headers of a callback POST (the README's "HTTP API" section documents them). */
export const CALLBACK_HEADERS = {
  signature: 'x-infra-signature',
  timestamp: 'x-infra-request-timestamp',
  idempotencyKey: 'idempotency-key',
} as const;

/**
 * `v0=` and the hex HMAC-SHA256 of `v0:<timestamp>:<body>`, keyed with the secret of the token that
 * started the workflow: the same scheme as Slack's request signing, so a receiver checks it the same way.
 */
export function signCallback(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/**
 * What a receiver does: true when `signature` is the body's and the timestamp is at most
 * `toleranceSeconds` away from `nowSeconds` (a replay defence, as for Slack's five minutes).
 */
export function verifyCallback(
  secret: string,
  q: { timestamp: string; body: string; signature: string; nowSeconds: number; toleranceSeconds?: number },
): boolean {
  const stamp = Number(q.timestamp);
  if (!Number.isInteger(stamp) || Math.abs(q.nowSeconds - stamp) > (q.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signCallback(secret, stamp, q.body));
  const given = Buffer.from(q.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
