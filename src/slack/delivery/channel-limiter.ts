import type { Redis } from 'ioredis';

/**
 * One Lua call: register (or refresh) a ticket in the bucket's waiting set, drop heads whose holder
 * stopped polling, and take the bucket's next slot when the ticket is the head and the slot is free.
 * Answers 0 (go now), a positive wait in ms (head, slot not free yet) or a negative wait in ms (not
 * the head: someone with a higher priority or an earlier ticket goes first). Redis' clock is the only
 * clock, so every process agrees on when the slot is free.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ticket, score, interval, stale = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], 'NX', score, ticket)
redis.call('HSET', KEYS[2], ticket, now)
redis.call('PEXPIRE', KEYS[1], 600000)
redis.call('PEXPIRE', KEYS[2], 600000)
local head
while true do
  head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if head == ticket then break end
  local beat = tonumber(redis.call('HGET', KEYS[2], head) or '0')
  if now - beat <= stale then break end
  redis.call('ZREM', KEYS[1], head)
  redis.call('HDEL', KEYS[2], head)
end
local nextAt = tonumber(redis.call('GET', KEYS[3]) or '0')
local wait = math.max(1, nextAt - now)
if head ~= ticket then return -wait end
if now < nextAt then return wait end
redis.call('SET', KEYS[3], now + interval, 'PX', interval + 60000)
redis.call('ZREM', KEYS[1], ticket)
redis.call('HDEL', KEYS[2], ticket)
return 0
`;

/** Pushes the bucket's next free slot to at least `ms` from now (a 429's Retry-After). */
const PENALISE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ = now + tonumber(ARGV[1])
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > nextAt then redis.call('SET', KEYS[1], until_, 'PX', tonumber(ARGV[1]) + 60000) end
return until_
`;

/** A waiter that has not polled for this long is taken for dead and loses its place. */
const STALE_MS = 5000;
/** Longest single sleep between polls: a waiter keeps its heartbeat fresh while it waits. */
const MAX_SLEEP_MS = 1000;

type LimiterRedis = Redis & {
  slackAcquire(
    k1: string,
    k2: string,
    k3: string,
    ticket: string,
    score: number,
    interval: number,
    stale: number,
  ): Promise<number>;
  slackPenalise(k1: string, ms: number): Promise<number>;
};

/**
 * A rate limiter shared by every process on one Redis: each bucket (a channel's posts, the
 * workspace's edits) hands out one slot per interval, to the waiting ticket with the lowest score
 * (priority first, then arrival), whichever process holds it.
 */
export class ChannelLimiter {
  private readonly redis: LimiterRedis;
  private seq = 0;
  private readonly id = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.redis = redis as LimiterRedis;
    this.redis.defineCommand('slackAcquire', { numberOfKeys: 3, lua: ACQUIRE });
    this.redis.defineCommand('slackPenalise', { numberOfKeys: 1, lua: PENALISE });
  }

  /** A fresh ticket; its score orders it: priority class first (0 goes first), then arrival time. */
  ticket(priority: number): { id: string; score: number } {
    return { id: `${this.id}-${++this.seq}`, score: priority * 1e13 + Date.now() };
  }

  /** Waits until `ticket` gets a slot of `bucket` (one per `intervalMs`), then returns. */
  async acquire(bucket: string, ticket: { id: string; score: number }, intervalMs: number): Promise<void> {
    const [waiting, beats, next] = this.keys(bucket);
    for (;;) {
      const answer = await this.redis.slackAcquire(waiting, beats, next, ticket.id, ticket.score, intervalMs, STALE_MS);
      if (answer === 0) return;
      // Not the head: look again a little after the slot frees, when the head has taken it.
      const wait = answer > 0 ? answer : -answer + 5;
      await sleep(Math.min(wait, MAX_SLEEP_MS));
    }
  }

  /** Slack answered 429: nobody in any process uses the bucket for `ms`. */
  async penalise(bucket: string, ms: number): Promise<void> {
    await this.redis.slackPenalise(this.keys(bucket)[2], ms);
  }

  private keys(bucket: string): [string, string, string] {
    const base = `${this.prefix}:slack-rate:{${bucket}}`;
    return [`${base}:waiting`, `${base}:beats`, `${base}:next`];
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
