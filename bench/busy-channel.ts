/**
 * A busy channel: BENCH_WORKFLOWS (default 20) schema-change workflows started at once in one channel,
 * against a fake Slack that enforces Slack's rate limits (chat.postMessage per channel, chat.update and
 * file shares per workspace, 429 + Retry-After beyond them), every gate approved as soon as it opens.
 *
 * The intervals are Slack's divided by BENCH_SLACK_SPEEDUP (default 4: 250 ms per post per channel,
 * 300 ms per edit) so the run fits the bench's time budget; BENCH_SLACK_SPEEDUP=1 runs at Slack's own
 * rate (about four times as long). Measures the total time, Approve → next step's `[i/n]` message, and
 * the 429s the fake answered (the delivery queue keeps them at about 0). Writes bench/results/busy-channel.json
 * (busy-channel-slack-rate.json at BENCH_SLACK_SPEEDUP=1).
 */
import { runBusyChannel } from '../tests/support/busy-channel';
import { round, writeResults } from './timing';

const intFromEnv = (name: string, fallback: number) =>
  Number.isInteger(Number(process.env[name])) && Number(process.env[name]) > 0 ? Number(process.env[name]) : fallback;
const WORKFLOWS = intFromEnv('BENCH_WORKFLOWS', 20);
const SPEEDUP = intFromEnv('BENCH_SLACK_SPEEDUP', 4);
const SLACK_POST_MS = 1000;
const SLACK_UPDATE_MS = 1200;
const SLACK_FILE_MS = 600;

const nearestRank = (sorted: number[], p: number) =>
  round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);

async function main(): Promise<void> {
  const rates = {
    postIntervalMs: SLACK_POST_MS / SPEEDUP,
    updateIntervalMs: SLACK_UPDATE_MS / SPEEDUP,
    fileIntervalMs: SLACK_FILE_MS / SPEEDUP,
  };
  const result = await runBusyChannel(WORKFLOWS, rates, 30 * 60_000);
  const sorted = [...result.approveToNextStepMs].sort((a, b) => a - b);
  const report = {
    workflows: result.workflows,
    succeeded: result.succeeded,
    incompleteThreads: result.incompleteThreads,
    failedPosts: result.failedPosts,
    rateLimitedAnswers: result.rateLimitedAnswers,
    slackRate: {
      ...rates,
      speedup: SPEEDUP,
      note: `Slack's intervals (post ${SLACK_POST_MS}, edit ${SLACK_UPDATE_MS}, file share ${SLACK_FILE_MS} ms) / speedup`,
    },
    totalSeconds: round(result.elapsedMs / 1000),
    approveToNextStepMs: {
      n: sorted.length,
      p50: nearestRank(sorted, 50),
      p90: nearestRank(sorted, 90),
      p99: nearestRank(sorted, 99),
      max: round(sorted.at(-1) ?? Number.NaN),
    },
  };
  console.log(JSON.stringify(report, null, 2));
  writeResults(SPEEDUP === 1 ? 'busy-channel-slack-rate' : 'busy-channel', report);
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
