import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UnrecoverableError } from 'bullmq';
import type { Pool } from 'pg';
import type { Logger } from '../../logger';
import { getCallback, recordCallbackAttempt } from '../../store/callback-outbox-repo';
import type { ApiToken } from '../api-auth';
import { type CallbackUrlPolicy, callbackUrlProblem, guardedLookup } from './callback-url';
import { CALLBACK_HEADERS, signCallback } from './callback-signing';

/** What delivering a callback needs, from the composition root. */
export interface CallbackDeliveryDeps {
  pool: Pool;
  /** INFRA_API_TOKENS: the caller's secret signs its callbacks. */
  tokens: readonly ApiToken[];
  policy: CallbackUrlPolicy;
  logger: Logger;
  /** How long one POST may take before it counts as failed (ms). Default 10 s. */
  timeoutMs?: number;
  /** The clock of the signing timestamp; tests pass their own. */
  now?: () => Date;
}

/** The Idempotency-Key of an outbox row: the same on every retry of the same state change. */
export const idempotencyKey = (workflowId: number, outboxId: number): string => `wf${workflowId}-change${outboxId}`;

/**
 * One attempt to POST an outbox row. Resolves when the receiver answered 2xx (or the row was already
 * delivered); throws to be retried otherwise, recording the error, and marks the row given up on the
 * last attempt. A callback the bot may no longer send (token removed, URL refused) fails unrecoverably.
 */
export async function deliverCallback(
  deps: CallbackDeliveryDeps,
  outboxId: number,
  attempt: { last: boolean },
): Promise<'delivered' | 'already delivered'> {
  const row = await getCallback(deps.pool, outboxId);
  if (!row || row.delivered_at) return 'already delivered';
  const fail = async (error: string, unrecoverable: boolean): Promise<never> => {
    await recordCallbackAttempt(deps.pool, outboxId, {
      delivered: false,
      error,
      giveUp: unrecoverable || attempt.last,
    });
    throw unrecoverable ? new UnrecoverableError(error) : new Error(error);
  };
  const token = deps.tokens.find((t) => t.name === row.caller);
  if (!token) return fail(`the token ${row.caller} is no longer in INFRA_API_TOKENS; nothing can sign it`, true);
  const refused = await callbackUrlProblem(row.url, deps.policy);
  if (refused) return fail(refused, true);
  const body = JSON.stringify({ ...row.body, sequence: row.id });
  const timestamp = Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
  const status = await post(
    row.url,
    body,
    {
      'content-type': 'application/json',
      'user-agent': 'infra-orchestrator-callbacks/1',
      [CALLBACK_HEADERS.timestamp]: String(timestamp),
      [CALLBACK_HEADERS.signature]: signCallback(token.secret, timestamp, body),
      [CALLBACK_HEADERS.idempotencyKey]: idempotencyKey(row.workflow_id, row.id),
    },
    { policy: deps.policy, timeoutMs: deps.timeoutMs ?? 10_000 },
  ).catch((err: Error) => err.message);
  if (typeof status === 'string') return fail(`POST failed: ${status}`, false);
  if (status < 200 || status > 299) return fail(`the receiver answered ${status}`, false);
  await recordCallbackAttempt(deps.pool, outboxId, { delivered: true });
  deps.logger.info({ outboxId, workflowId: row.workflow_id, caller: row.caller }, 'callback delivered');
  return 'delivered';
}

/** POSTs `body` without following redirects; resolves with the status code. */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { policy: CallbackUrlPolicy; timeoutMs: number },
): Promise<number> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: 'POST', headers, lookup: guardedLookup(opts.policy), timeout: opts.timeoutMs },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
