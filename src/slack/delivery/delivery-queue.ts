import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '@slack/web-api';
import type { DeliveryPriority } from '../../engine/ports/slack-publisher';
import type { Logger } from '../../logger';
import type { ChannelLimiter } from './channel-limiter';

/** How often each bucket may be used, in ms between two calls. */
export interface DeliveryLimits {
  /** chat.postMessage, per channel (Slack: about one a second). */
  postIntervalMs: number;
  /** File shares (files.completeUploadExternal), for the whole workspace (Slack: tier 4, 100+ a minute). */
  fileIntervalMs: number;
  /** chat.update, for the whole workspace (Slack: tier 3, about 50 a minute). */
  updateIntervalMs: number;
}

/** Lower goes first: a person waits for interactive messages; background edits can wait. */
const ORDER: Record<DeliveryPriority, number> = { interactive: 0, normal: 1, background: 2 };
/** How many edit intervals a folding edit waits for newer content before it asks for a slot. */
const FOLD_WINDOW_SLOTS = 3;
/** A call answered 429 this many times in a row is given up (its error reaches the caller). */
const MAX_RATE_LIMITED = 20;

interface PendingUpdate<T> {
  content: T;
  waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }>;
}

/**
 * Every Slack call that counts against a rate limit goes through here. Each waits for a slot of its
 * bucket from the Redis limiter (shared by all processes), so calls are spaced instead of answered
 * 429; a 429 all the same closes the bucket for its Retry-After and the call is tried again, keeping
 * its place. An edit of a message that is still waiting for its slot replaces the waiting content:
 * only the latest is sent, and every caller's promise settles with that one call. An edit nobody
 * waits on may wait three edit intervals before it asks for a slot, so more of its successors fold in.
 */
export class DeliveryQueue {
  private readonly pendingUpdates = new Map<string, PendingUpdate<unknown>>();
  /** The update of a message being sent now: a newer one for the same message waits for it. */
  private readonly sending = new Map<string, Promise<unknown>>();
  /** 429 answers seen by this process (for logs and benchmarks). */
  rateLimited = 0;

  constructor(
    private readonly limiter: ChannelLimiter,
    private readonly limits: DeliveryLimits,
    private readonly logger: Logger,
  ) {}

  /** A post in `channel`. */
  post<T>(channel: string, priority: DeliveryPriority, call: () => Promise<T>): Promise<T> {
    return this.send(`post:${channel}`, this.limits.postIntervalMs, priority, call);
  }

  /**
   * A file share (files.uploadV2's three calls). Slack limits its methods by tier for the whole
   * workspace, not by channel, so a share does not take a slot of the channel's posts.
   */
  share<T>(priority: DeliveryPriority, call: () => Promise<T>): Promise<T> {
    return this.send('files', this.limits.fileIntervalMs, priority, call);
  }

  /** An ephemeral (its own, generous tier): not spaced, but a 429 still waits out its Retry-After. */
  ephemeral<T>(channel: string, call: () => Promise<T>): Promise<T> {
    return this.send(`ephemeral:${channel}`, 0, 'interactive', call);
  }

  /**
   * An edit of message `ts`: resolves once Slack has this content or a newer one that replaced it
   * while it waited; rejects with that call's error. `fold`: wait three edit intervals first, so that
   * more edits of the message fold into this one (for edits nobody waits on).
   */
  update<T>(
    ts: string,
    channel: string,
    priority: DeliveryPriority,
    content: T,
    call: (c: T) => Promise<void>,
    opts: { fold?: boolean } = {},
  ) {
    const key = `${channel}:${ts}`;
    return new Promise<void>((resolve, reject) => {
      const pending = this.pendingUpdates.get(key) as PendingUpdate<T> | undefined;
      if (pending) {
        pending.content = content;
        pending.waiters.push({ resolve, reject });
        return;
      }
      const entry: PendingUpdate<T> = { content, waiters: [{ resolve, reject }] };
      this.pendingUpdates.set(key, entry as PendingUpdate<unknown>);
      const before = this.sending.get(key) ?? Promise.resolve();
      // An edit nobody waits for (a progress bar) waits a few edit slots before it asks for one: the
      // redraws that come meanwhile replace its content, so the bar takes fewer of the workspace's edits.
      const settle = opts.fold ? sleep(FOLD_WINDOW_SLOTS * this.limits.updateIntervalMs) : undefined;
      const sent = before
        .catch(() => undefined)
        .then(() => settle)
        .then(() =>
          this.send('update', this.limits.updateIntervalMs, priority, () => {
            // From here on a newer edit starts a pending entry of its own.
            if (this.pendingUpdates.get(key) === entry) this.pendingUpdates.delete(key);
            return call(entry.content);
          }),
        );
      this.sending.set(key, sent);
      sent.then(
        () => {
          for (const w of entry.waiters) w.resolve();
        },
        (e: unknown) => {
          for (const w of entry.waiters) w.reject(e);
        },
      );
      sent
        .catch(() => undefined)
        .finally(() => {
          if (this.sending.get(key) === sent) this.sending.delete(key);
        });
    });
  }

  /** Runs `call` in a slot of `bucket`; a 429 closes the bucket for its Retry-After and retries. */
  private async send<T>(bucket: string, intervalMs: number, priority: DeliveryPriority, call: () => Promise<T>) {
    const ticket = this.limiter.ticket(ORDER[priority]);
    for (let limited = 0; ; limited++) {
      await this.limiter.acquire(bucket, ticket, intervalMs);
      try {
        return await call();
      } catch (error) {
        const retryAfter = retryAfterMs(error);
        if (retryAfter === undefined || limited >= MAX_RATE_LIMITED) throw error;
        this.rateLimited++;
        this.logger.warn({ bucket, retryAfterMs: retryAfter }, 'Slack rate limit hit; waiting Retry-After');
        await this.limiter.penalise(bucket, retryAfter);
      }
    }
  }
}

/** The Retry-After of a 429 the Web API client handed back (rejectRateLimitedCalls), in ms. */
function retryAfterMs(error: unknown): number | undefined {
  const e = error as { code?: unknown; retryAfter?: unknown };
  if (e?.code !== ErrorCode.RateLimitedError) return undefined;
  return typeof e.retryAfter === 'number' && e.retryAfter >= 0 ? e.retryAfter * 1000 : 1000;
}
