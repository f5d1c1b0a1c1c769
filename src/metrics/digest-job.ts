import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Logger } from '../logger';
import type { SlackPublisher } from '../engine/ports/slack-publisher';
import { digestMessage } from '../views/digest-message';
import { buildDigest } from './build-digest';
import { CHART_DAYS, digestChart } from './digest-chart';
import type { RunningJobs } from '../engine/jobs/running-jobs';

export const DIGEST_QUEUE = 'digest';
const SCHEDULER_ID = 'daily-digest';

export const digestJobSchema = z.object({ channel: z.string().min(1) });

/** What posting a digest needs, from the composition root. */
export interface DigestDeps {
  pool: Pool;
  slack: SlackPublisher;
  /** Time zone of the digest's days (INFRA_DIGEST_TZ). */
  timeZone: string;
  /** Folder of the chart's font files (INFRA_CHART_FONT_DIR). */
  fontDir: string;
  /** The clock; tests pass their own. */
  now: () => Date;
  logger: Logger;
}

/** Advisory lock class of the digest; the second key is the (channel, day). */
const DIGEST_LOCK = 727_100_003;

/**
 * Posts the day's digest to `channel` unless it was posted already. A session advisory lock on the
 * (channel, day) is held for the whole post, so a second worker (or a second firing after a restart)
 * waits, then sees the digest posted and stops; if the first one dies, its lock goes with its
 * connection and the second one posts. No transaction stays open while Slack is called, so the post's
 * own bookkeeping (the message ledger) commits on other connections.
 */
export async function postDailyDigest(deps: DigestDeps, channel: string): Promise<'posted' | 'already posted'> {
  const now = deps.now();
  const { day, yesterday } = await localDay(deps.pool, now, deps.timeZone);
  // Within one process the (channel, day) also takes turns here: on the demo's embedded Postgres every
  // connection shares one backend, so the advisory lock below excludes nobody.
  return inTurn(`${channel}:${day}`, () => postUnderLock(deps, { channel, day, yesterday, now }));
}

/** Digests being posted by this process, by (channel, day): each call waits for the one before. */
const turns = new Map<string, Promise<unknown>>();

async function inTurn<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = turns.get(key) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(fn);
  turns.set(key, mine);
  try {
    return await mine;
  } finally {
    if (turns.get(key) === mine) turns.delete(key);
  }
}

async function postUnderLock(
  deps: DigestDeps,
  q: { channel: string; day: string; yesterday: Date; now: Date },
): Promise<'posted' | 'already posted'> {
  const { channel, day } = q;
  const lock = await deps.pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1, hashtext($2))', [DIGEST_LOCK, `${channel}:${day}`]);
    try {
      return await postUnlessPosted(deps, q);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1, hashtext($2))', [DIGEST_LOCK, `${channel}:${day}`]);
    }
  } finally {
    lock.release();
  }
}

async function postUnlessPosted(
  deps: DigestDeps,
  q: { channel: string; day: string; yesterday: Date; now: Date },
): Promise<'posted' | 'already posted'> {
  const { channel, day, now } = q;
  await deps.pool.query('INSERT INTO digests (channel_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING', [channel, day]);
  const claimed = await deps.pool.query<{ ts: string | null }>(
    'SELECT ts FROM digests WHERE channel_id = $1 AND day = $2',
    [channel, day],
  );
  if (claimed.rows[0]?.ts) return 'already posted';
  const previous = await deps.pool.query<{ posted_at: Date }>(
    'SELECT posted_at FROM digests WHERE channel_id = $1 AND day < $2 AND posted_at IS NOT NULL ORDER BY day DESC LIMIT 1',
    [channel, day],
  );
  const since = previous.rows[0]?.posted_at ?? q.yesterday;
  const chart = await digestChart(deps.pool, { now, timeZone: deps.timeZone, fontDir: deps.fontDir });
  const digest = await buildDigest(deps.pool, { now, timeZone: deps.timeZone, day, since, chartEmpty: !chart });
  const ts = await deps.slack.post(`digest:${channel}:${day}`, { channel }, digestMessage(digest));
  if (!digest.quiet && chart) {
    await deps.slack.uploadFile(
      `digest:${channel}:${day}:chart`,
      { channel, threadTs: ts },
      {
        filename: `infra-digest-${day}.png`,
        content: chart.png,
        title: `Last ${CHART_DAYS} days: production merges (blue), failed or rolled-back changes (red), lead times`,
      },
    );
  }
  await deps.pool.query('UPDATE digests SET ts = $3, posted_at = $4 WHERE channel_id = $1 AND day = $2', [
    channel,
    day,
    ts,
    now,
  ]);
  deps.logger.info({ channel, day, quiet: digest.quiet }, 'daily digest posted');
  return 'posted';
}

/** Today's local date and the start of yesterday, in the digest's time zone. */
async function localDay(pool: Pool, now: Date, timeZone: string): Promise<{ day: string; yesterday: Date }> {
  const { rows } = await pool.query<{ day: string; yesterday: Date }>(
    `SELECT to_char($1::timestamptz AT TIME ZONE $2, 'YYYY-MM-DD') AS day,
            (date_trunc('day', $1::timestamptz AT TIME ZONE $2) - interval '1 day') AT TIME ZONE $2 AS yesterday`,
    [now, timeZone],
  );
  return rows[0]!;
}

export interface DigestScheduleOptions {
  /** Channel of the digest; without one the schedule is removed. */
  channel?: string;
  /** Cron pattern with an optional seconds field (INFRA_DIGEST_CRON). */
  cron: string;
  timeZone: string;
}

/**
 * The daily digest's BullMQ job scheduler. Upserting is idempotent, so every worker may call it at
 * start-up; the scheduler then produces one job per firing for all of them.
 */
export async function scheduleDigest(queue: Queue, opts: DigestScheduleOptions): Promise<void> {
  if (!opts.channel) {
    await queue.removeJobScheduler(SCHEDULER_ID);
    return;
  }
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { pattern: opts.cron, tz: opts.timeZone },
    {
      name: 'digest',
      data: { channel: opts.channel },
      opts: {
        attempts: 5,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: true,
        removeOnFail: { count: 100 },
      },
    },
  );
}

/** The digest queue, on the deployment's prefix. */
export function digestQueue(connection: ConnectionOptions, prefix: string): Queue {
  return new Queue(DIGEST_QUEUE, { connection, prefix });
}

/** A worker for the digest queue; one job at a time is plenty for one message a day. */
export function startDigestWorker(
  deps: DigestDeps,
  opts: { connection: ConnectionOptions; prefix: string; running?: RunningJobs },
): Worker {
  const processor = async (job: Job) => postDailyDigest(deps, digestJobSchema.parse(job.data).channel);
  const worker = new Worker(DIGEST_QUEUE, opts.running ? opts.running.wrap(processor) : processor, {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: 1,
  });
  worker.on('failed', (job, err) =>
    deps.logger.warn({ job: job?.name, attempts: job?.attemptsMade, err: err.message }, 'digest attempt failed'),
  );
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'digest worker error'));
  return worker;
}
