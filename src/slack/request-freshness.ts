import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPReceiver, type HTTPReceiverOptions } from '@slack/bolt';

/** How far ahead of our clock a Slack request's signing timestamp may be (seconds). */
export const FUTURE_TOLERANCE_SECONDS = 60;

/**
 * True when a request's `x-slack-request-timestamp` is more than the tolerance ahead of `nowMs`.
 * Bolt refuses requests older than five minutes but any later stamp; a request signed ahead of time
 * would otherwise stay replayable until five minutes after that stamp.
 */
export function stampedInFuture(
  timestampHeader: string | string[] | undefined,
  nowMs: number,
  toleranceSeconds = FUTURE_TOLERANCE_SECONDS,
): boolean {
  if (typeof timestampHeader !== 'string') return false;
  const stamp = Number(timestampHeader);
  return Number.isFinite(stamp) && stamp > Math.floor(nowMs / 1000) + toleranceSeconds;
}

/**
 * Bolt's HTTP receiver, answering 401 (as Bolt does for a stale or badly signed request) to a request
 * stamped more than a minute in the future, before Bolt reads it. Bolt's own checks still run on the rest.
 */
export class FreshRequestReceiver extends HTTPReceiver {
  constructor(options: HTTPReceiverOptions, now: () => number = Date.now) {
    super(options);
    const boltListener = this.requestListener;
    this.requestListener = (req: IncomingMessage, res: ServerResponse) => {
      if (stampedInFuture(req.headers['x-slack-request-timestamp'], now())) {
        res.writeHead(401);
        res.end();
        return;
      }
      boltListener(req, res);
    };
  }
}
