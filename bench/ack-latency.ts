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
 * Each: 20 warm-up requests (not counted), then 200 requests with at most 50 in flight
 * (BENCH_WARMUP, BENCH_N, BENCH_CONCURRENCY override them; the results file records what ran).
 * Run with `npm run bench`; writes bench/results/ack-latency.json and cleans up everything it made.
 * The client runs in the same Node process as the servers, so both numbers include the same client cost.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { CHANNEL, Harness, REQUESTER, SIGNING_SECRET } from '../tests/support/harness';
import { sign, slashCommandBody } from '../dev/local-slack/slack-requests';
import { DEFAULT_SLACK_IDS } from '../dev/local-slack/slack-ids';

/** Defaults are the benchmark's definition; the env overrides exist for exploring (e.g. a longer warm-up). */
const intFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const N = intFromEnv('BENCH_N', 200);
const CONCURRENCY = intFromEnv('BENCH_CONCURRENCY', 50);
const WARMUP = intFromEnv('BENCH_WARMUP', 20);
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

async function measure(name: string, target: Target): Promise<Stats> {
  await run(target, WARMUP, Math.min(CONCURRENCY, WARMUP), 0);
  const results = await run(target, N, CONCURRENCY, WARMUP);
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

/** (a) The bot as the harness starts it, without a worker. */
async function benchRealBot(): Promise<{ stats: Stats; workflowsQueued: number }> {
  const h = await Harness.start({ worker: false });
  try {
    const stats = await measure('real bot', {
      url: h.url,
      teamId: h.slack.teamId,
      responseUrl: (n) => h.slack.responseUrl(`bench-${n}`),
    });
    // The work after the ack (insert + enqueue + respond) finishes shortly after; wait for it so the
    // count proves every request took the real path, and cleanup does not race it.
    const expected = WARMUP + N;
    const deadline = Date.now() + 30_000;
    let queued = 0;
    while (Date.now() < deadline) {
      queued = Number((await h.pool.query<{ count: string }>('SELECT count(*) FROM workflows')).rows[0]!.count);
      if (queued >= expected && h.slack.responses.length >= expected) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (h.slack.unexpected.length)
      console.warn(`fake Slack saw unexpected requests:\n${h.slack.unexpected.join('\n')}`);
    return { stats, workflowsQueued: queued };
  } finally {
    await h.close();
  }
}

/** (b) A bare Bolt app: HTTPReceiver, one /infra listener that only acks. */
async function benchBareBolt(): Promise<Stats> {
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
  try {
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('bare Bolt app has no TCP address');
    return await measure('bare Bolt', {
      url: `http://127.0.0.1:${address.port}/slack/events`,
      teamId: DEFAULT_SLACK_IDS.teamId,
      responseUrl: (n) => `http://127.0.0.1:9/response/bench-${n}`,
    });
  } finally {
    await app.stop();
  }
}

async function main(): Promise<void> {
  const cpuList = cpus();
  console.log(`node ${process.version}, ${cpuList.length} CPU(s): ${cpuList[0]?.model ?? 'unknown'}`);
  const bare = await benchBareBolt();
  const real = await benchRealBot();
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model,
    platform: `${process.platform} ${process.arch}`,
    method:
      'client-side wall time per signed POST /slack/events (performance.now around fetch + body read); nearest-rank ' +
      'percentiles; client in the same process',
    request: `/infra ${REQUEST_TEXT}`,
    unit: 'ms',
    results: {
      realBot: {
        ...real.stats,
        workflowsQueued: real.workflowsQueued,
        note: 'web role only, no worker; fresh Postgres database and Redis prefix; fake Slack and Anthropic',
      },
      bareBolt: { ...bare, note: 'Bolt App + HTTPReceiver, /infra listener only calls ack()' },
    },
  };
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'ack-latency.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
  console.log(`wrote ${file}`);
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
