/**
 * /infra acknowledgement latency: how long Slack waits for the HTTP answer to a slash command.
 *
 * Two servers, each in a process of its own, measured the same way by a client in this process
 * (wall time of one signed POST, performance.now() around fetch, body read included):
 *   (a) the real bot as production runs it: `node dist/main.js web` (built first), on a fresh database
 *       and queue prefix, with no worker (the plan jobs just queue), pointed at the fake Slack of
 *       tests/support, logging at info;
 *   (b) a bare Bolt App on an HTTPReceiver whose /infra listener only calls ack() (bench/bare-bolt.js):
 *       the floor Bolt sets.
 *
 * Both run side by side in one run: both servers are up at once, and BENCH_ROUNDS rounds (default 5)
 * alternate between them, so both see the same load of a shared machine. Each round: BENCH_WARMUP
 * (default 100) warm-up requests, not counted, then BENCH_N (default 500) with at most BENCH_CONCURRENCY
 * (default 50) in flight. The figures: the median over the rounds of each p99, and the median of the
 * rounds' ratios (real p99 / bare p99 of the same round). Writes bench/results/ack-latency.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { CHANNEL, Harness, REQUESTER, SIGNING_SECRET } from '../tests/support/harness';
import { envOf } from '../tests/support/spawn-worker';
import { sign, slashCommandBody } from '../dev/local-slack/slack-requests';
import { DEFAULT_SLACK_IDS } from '../dev/local-slack/slack-ids';
import type { BullJobQueue } from '../src/engine/jobs/queues';
import { buildDist, writeResults } from './timing';

/** Defaults are the benchmark's definition; the env overrides exist for exploring (e.g. a longer warm-up). */
const intFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const N = intFromEnv('BENCH_N', 500);
const CONCURRENCY = intFromEnv('BENCH_CONCURRENCY', 50);
const WARMUP = intFromEnv('BENCH_WARMUP', 100);
const ROUNDS = intFromEnv('BENCH_ROUNDS', 5);
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

/** Starts `args` with `env`; resolves with the process and the port once `portOf` finds it in a line of stdout. */
async function startProcess(
  args: string[],
  env: Record<string, string>,
  portOf: (line: string) => number | undefined,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, args, {
    cwd: join(__dirname, '..'),
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const found = portOf(line);
        if (found) resolve(found);
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  // Keep reading, so a chatty process never blocks on a full pipe.
  child.stdout!.resume();
  return { child, port };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await gone;
}

/** The bare Bolt app (bench/bare-bolt.js) in a process of its own. */
async function startBareBolt(): Promise<{ target: Target; child: ChildProcess }> {
  const env = {
    ...(process.env as Record<string, string>),
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    BOT_ID: DEFAULT_SLACK_IDS.botId,
    BOT_USER_ID: DEFAULT_SLACK_IDS.botUserId,
  };
  const { child, port } = await startProcess([join(__dirname, 'bare-bolt.js')], env, (line) =>
    line.startsWith('ready ') ? Number(line.slice(6)) : undefined,
  );
  return {
    child,
    target: {
      url: `http://127.0.0.1:${port}/slack/events`,
      teamId: DEFAULT_SLACK_IDS.teamId,
      responseUrl: (n) => `http://127.0.0.1:9/response/bench-${n}`,
    },
  };
}

/** The real bot's web role, `node dist/main.js web`, with the harness's settings, logging at info. */
async function startRealBot(h: Harness): Promise<{ target: Target; child: ChildProcess }> {
  const env = envOf(h.config, { PORT: '0', LOG_LEVEL: 'info' });
  const { child, port } = await startProcess([join(__dirname, '..', 'dist', 'main.js'), 'web'], env, (line) => {
    if (!line.includes('infra-orchestrator started')) return undefined;
    return (JSON.parse(line) as { port?: number }).port;
  });
  return {
    child,
    target: {
      url: `http://127.0.0.1:${port}/slack/events`,
      teamId: h.slack.teamId,
      responseUrl: (n) => h.slack.responseUrl(`bench-${n}`),
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
  // Both servers run at once, each in its own process; the rounds alternate so both see the same load.
  buildDist();
  const h = await Harness.start({ worker: false });
  const bare = await startBareBolt();
  const bot = await startRealBot(h);
  const rounds: Array<{ bareBolt: Stats; realBot: Stats }> = [];
  let workflowsQueued = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const bareStats = await measure(`bare Bolt ${round + 1}`, bare.target);
      const realStats = await measure(`real bot ${round + 1}`, bot.target, round * (WARMUP + N));
      rounds.push({ bareBolt: bareStats, realBot: realStats });
    }
    workflowsQueued = await waitForRecorded(h, ROUNDS * (WARMUP + N));
    if (h.slack.unexpected.length)
      console.warn(`fake Slack saw unexpected requests:\n${h.slack.unexpected.join('\n')}`);
  } finally {
    await stopProcess(bot.child);
    await stopProcess(bare.child);
    await h.close();
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
      'percentiles; each server in a process of its own, the client in a third; rounds alternate bare Bolt / real bot',
    request: `/infra ${REQUEST_TEXT}`,
    unit: 'ms',
    summary: { p99RealBot: p99Real, p99BareBolt: p99Bare, ratio, ratios, target: 1.5, rounds: ROUNDS },
    workflowsQueued,
    rounds,
    notes: {
      realBot: 'node dist/main.js web, LOG_LEVEL=info, no worker; fresh Postgres database and Redis prefix; fake Slack',
      bareBolt: 'bench/bare-bolt.js: Bolt App + HTTPReceiver, /infra listener only calls ack()',
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
