/**
 * /infra acknowledgement latency: how long Slack waits for the HTTP answer to a slash command.
 *
 * Two targets, measured the same way (client-side wall time of one signed POST, performance.now()
 * around fetch, body read included):
 *   (a) the real bot: web role only (no worker, so the plan jobs just queue), on a fresh database and
 *       queue prefix, talking to the fake Slack and fake Anthropic of tests/support — as the e2e harness
 *       starts it;
 *   (b) a bare Bolt App on an HTTPReceiver whose /infra listener only calls ack() — the floor Bolt sets.
 *
 * Both run side by side in one run: both servers are up at once, and BENCH_ROUNDS rounds (default 3)
 * alternate between them, so both see the same load of a shared machine. Each round: 20 warm-up
 * requests (not counted), then 200 requests with at most 50 in flight (BENCH_WARMUP, BENCH_N,
 * BENCH_CONCURRENCY override them). The figures: the median over the rounds of each p99, and the median of
 * the rounds' ratios (real p99 / bare p99 of the same round).
 * Run with `npm run bench`; writes bench/results/ack-latency.json and cleans up everything it made.
 * The client runs in the same Node process as the servers, so both numbers include the same client cost.
 */
import type { Server } from 'node:http';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { CHANNEL, Harness, REQUESTER, SIGNING_SECRET } from '../tests/support/harness';
import { sign, slashCommandBody } from '../dev/local-slack/slack-requests';
import { DEFAULT_SLACK_IDS } from '../dev/local-slack/slack-ids';
import type { BullJobQueue } from '../src/engine/jobs/queues';
import { writeResults } from './timing';

/** Defaults are the benchmark's definition; the env overrides exist for exploring (e.g. a longer warm-up). */
const intFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const N = intFromEnv('BENCH_N', 200);
const CONCURRENCY = intFromEnv('BENCH_CONCURRENCY', 50);
const WARMUP = intFromEnv('BENCH_WARMUP', 20);
const ROUNDS = intFromEnv('BENCH_ROUNDS', 3);
const REQUEST_TEXT = 'Add a new table for user preferences';

interface Stats {
  n: number;
  concurrency: number;
  warmup: number;
  /** Requests that did not get HTTP 200 (counted in the latencies all the same). */
  errors: number;
  median: number;
  p90: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
}

interface Target {
  url: string;
  teamId: string;
  /** A response_url for the n-th request; the real bot posts its "Got it" there. */
  responseUrl: (n: number) => string;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/** One signed slash command; resolves with its wall time in ms and the HTTP status. */
async function timedCommand(target: Target, seq: number): Promise<{ ms: number; status: number }> {
  const body = slashCommandBody({
    command: '/infra',
    text: REQUEST_TEXT,
    userId: REQUESTER,
    channelId: CHANNEL,
    teamId: target.teamId,
    responseUrl: target.responseUrl(seq),
  });
  const signed = sign(SIGNING_SECRET, body);
  const headers = { 'content-type': 'application/x-www-form-urlencoded', ...signed };
  const started = performance.now();
  const response = await fetch(target.url, { method: 'POST', headers, body });
  await response.text();
  return { ms: performance.now() - started, status: response.status };
}

/** `count` requests with at most `concurrency` in flight. */
async function run(
  target: Target,
  count: number,
  concurrency: number,
  firstSeq: number,
): Promise<Array<{ ms: number; status: number }>> {
  const results: Array<{ ms: number; status: number }> = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await timedCommand(target, firstSeq + i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

async function measure(name: string, target: Target, firstSeq = 0): Promise<Stats> {
  await run(target, WARMUP, Math.min(CONCURRENCY, WARMUP), firstSeq);
  const results = await run(target, N, CONCURRENCY, firstSeq + WARMUP);
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  const stats: Stats = {
    n: N,
    concurrency: CONCURRENCY,
    warmup: WARMUP,
    errors: results.filter((r) => r.status !== 200).length,
    median: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1]!),
    min: round(sorted[0]!),
    mean: round(sorted.reduce((s, v) => s + v, 0) / sorted.length),
  };
  console.log(
    `${name.padEnd(10)} n=${stats.n} c=${stats.concurrency} median=${stats.median}ms p90=${stats.p90}ms p99=${stats.p99}ms ` +
      `max=${stats.max}ms errors=${stats.errors}`,
  );
  return stats;
}

/** The bare Bolt app: HTTPReceiver, one /infra listener that only acks. */
async function startBareBolt(): Promise<{ target: Target; stop: () => Promise<void> }> {
  const receiver = new HTTPReceiver({
    signingSecret: SIGNING_SECRET,
    endpoints: '/slack/events',
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    token: 'xoxb-bench-token',
    receiver,
    botId: DEFAULT_SLACK_IDS.botId,
    botUserId: DEFAULT_SLACK_IDS.botUserId,
    tokenVerificationEnabled: false,
    logLevel: LogLevel.ERROR,
  });
  app.command('/infra', async ({ ack }) => {
    await ack();
  });
  const server = (await app.start(0)) as Server;
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('bare Bolt app has no TCP address');
  return {
    target: {
      url: `http://127.0.0.1:${address.port}/slack/events`,
      teamId: DEFAULT_SLACK_IDS.teamId,
      responseUrl: (n) => `http://127.0.0.1:9/response/bench-${n}`,
    },
    stop: async () => {
      await app.stop();
    },
  };
}

/** Waits until every request of the real bot is recorded and its plan job queued (the work after the ack). */
async function waitForRecorded(h: Harness, expected: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  let queued = 0;
  while (Date.now() < deadline) {
    queued = Number((await h.pool.query<{ count: string }>('SELECT count(*) FROM workflows')).rows[0]!.count);
    const jobs = await (h.runtime.decisions.queue as BullJobQueue).queue.getJobCounts('wait', 'delayed', 'prioritized');
    const waiting = (jobs.wait ?? 0) + (jobs.delayed ?? 0) + (jobs.prioritized ?? 0);
    if (queued >= expected && waiting >= expected) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return queued;
}

const medianOf = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

async function main(): Promise<void> {
  const cpuList = cpus();
  console.log(`node ${process.version}, ${cpuList.length} CPU(s): ${cpuList[0]?.model ?? 'unknown'}`);
  // Both servers run at once in this process; the rounds alternate so both see the same machine load.
  const bare = await startBareBolt();
  const h = await Harness.start({ worker: false });
  const rounds: Array<{ bareBolt: Stats; realBot: Stats }> = [];
  let workflowsQueued = 0;
  try {
    const real: Target = { url: h.url, teamId: h.slack.teamId, responseUrl: (n) => h.slack.responseUrl(`bench-${n}`) };
    for (let round = 0; round < ROUNDS; round++) {
      const bareStats = await measure(`bare Bolt ${round + 1}`, bare.target);
      const realStats = await measure(`real bot ${round + 1}`, real, round * (WARMUP + N));
      rounds.push({ bareBolt: bareStats, realBot: realStats });
    }
    workflowsQueued = await waitForRecorded(h, ROUNDS * (WARMUP + N));
    if (h.slack.unexpected.length)
      console.warn(`fake Slack saw unexpected requests:\n${h.slack.unexpected.join('\n')}`);
  } finally {
    await h.close();
    await bare.stop();
  }
  const p99Bare = medianOf(rounds.map((r) => r.bareBolt.p99));
  const p99Real = medianOf(rounds.map((r) => r.realBot.p99));
  // Each round's ratio compares two runs a few seconds apart; their median is the figure.
  const ratios = rounds.map((r) => Math.round((r.realBot.p99 / r.bareBolt.p99) * 100) / 100);
  const ratio = medianOf(ratios);
  console.log(
    `median of ${ROUNDS} rounds: p99 real ${p99Real} ms, bare ${p99Bare} ms; p99 ratio per round ${ratios.join(', ')}`,
  );
  console.log(`median ratio ${ratio} (target <= 1.5)`);
  writeResults('ack-latency', {
    cpuModel: cpuList[0]?.model,
    platform: `${process.platform} ${process.arch}`,
    method:
      'client-side wall time per signed POST /slack/events (performance.now around fetch + body read); nearest-rank ' +
      'percentiles; client and both servers in the same process; rounds alternate bare Bolt / real bot',
    request: `/infra ${REQUEST_TEXT}`,
    unit: 'ms',
    summary: { p99RealBot: p99Real, p99BareBolt: p99Bare, ratio, ratios, target: 1.5, rounds: ROUNDS },
    workflowsQueued,
    rounds,
    notes: {
      realBot: 'web role only, no worker; fresh Postgres database and Redis prefix; fake Slack and Anthropic',
      bareBolt: 'Bolt App + HTTPReceiver, /infra listener only calls ack()',
    },
  });
  console.log(`wrote bench/results/ack-latency.json`);
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
