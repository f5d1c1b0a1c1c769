import { performance } from 'node:perf_hooks';
import { textOf } from '../../dev/local-slack/block-text';
import type { LocalSlackMessage } from '../../dev/local-slack/local-slack';
import { APPROVER, CHANNEL, Harness } from './harness';
import { scriptSchemaChange } from './scripted-agents';

/** How fast the fake Slack lets the bot post and edit, and how the bot spaces its calls. */
export interface BusyChannelRates {
  /** The fake's chat.postMessage interval per channel (Slack: 1000 ms). */
  postIntervalMs: number;
  /** The fake's chat.update interval for the workspace (Slack tier 3: about 1200 ms). */
  updateIntervalMs: number;
  /** The fake's files.completeUploadExternal interval for the workspace (Slack tier 4: about 600 ms). */
  fileIntervalMs: number;
}

export interface BusyChannelResult {
  workflows: number;
  succeeded: number;
  elapsedMs: number;
  /** Approve click → the next step's `[i/n]` message in the thread, in ms. */
  approveToNextStepMs: number[];
  /** Calls the fake Slack answered 429 (the delivery queue should leave this at about 0). */
  rateLimitedAnswers: number;
  /** chat.postMessage calls that failed for any other reason. */
  failedPosts: number;
  /** Threads missing one of the five step headlines or the closing report. */
  incompleteThreads: number;
}

const HEADLINE = /^\[(\d)\/5\] /;
const STEP_HEADLINE_COUNT = 5;

/**
 * Starts `count` schema-change workflows at once in one channel against a fake Slack that enforces
 * `rates`, clicks Approve on every gate as soon as it opens, and measures each click until the next
 * step's message shows in that thread. The bot spaces its calls a little above the fake's interval,
 * since the fake measures spacing where calls arrive.
 */
export async function runBusyChannel(
  count: number,
  rates: BusyChannelRates,
  timeoutMs: number,
): Promise<BusyChannelResult> {
  const margin = (ms: number) => String(Math.ceil(ms * 1.05));
  const h = await Harness.start({
    slack: {
      rateLimits: {
        'chat.postMessage': { intervalMs: rates.postIntervalMs, burst: 3 },
        'chat.update': { intervalMs: rates.updateIntervalMs, burst: 3, scope: 'workspace' },
        'files.completeUploadExternal': { intervalMs: rates.fileIntervalMs, burst: 3, scope: 'workspace' },
      },
    },
    env: {
      INFRA_SLACK_POST_INTERVAL_MS: margin(rates.postIntervalMs),
      INFRA_SLACK_UPDATE_INTERVAL_MS: margin(rates.updateIntervalMs),
      INFRA_SLACK_FILE_INTERVAL_MS: margin(rates.fileIntervalMs),
    },
  });
  try {
    for (let i = 0; i < count; i++) scriptSchemaChange(h.claude);
    const started = performance.now();
    const acks = await Promise.all(
      Array.from({ length: count }, (_, i) => h.command(`Add a new table number ${i + 1}`)),
    );
    if (acks.some((a) => a.status !== 200)) throw new Error('a /infra command was not acked with 200');
    const latencies = await approveUntilDone(h, count, started + timeoutMs);
    const elapsedMs = performance.now() - started;
    const { rows } = await h.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM workflows WHERE state = 'succeeded'",
    );
    const roots = h.slack.channelMessages(CHANNEL);
    const incomplete = () =>
      roots.filter((root) => {
        const texts = h.threadTexts(root);
        const steps = new Set(texts.map((t) => t.match(HEADLINE)?.[1]).filter(Boolean));
        return steps.size !== STEP_HEADLINE_COUNT || !texts.some((t) => t.includes('Workflow complete'));
      }).length;
    // The report follows the end of the workflow through the queue: give it its turn.
    await h.slack.waitFor(() => incomplete() === 0, { timeoutMs: 30_000 }).catch(() => undefined);
    const incompleteThreads = incomplete();
    const posts = h.slack.callsTo('chat.postMessage');
    return {
      workflows: count,
      succeeded: rows[0]!.n,
      elapsedMs,
      approveToNextStepMs: latencies,
      rateLimitedAnswers: h.slack.calls.filter((c) => c.status === 429).length,
      failedPosts: posts.filter((c) => !c.ok && c.status !== 429).length,
      incompleteThreads: incompleteThreads + Math.max(0, count - roots.length),
    };
  } finally {
    await h.close();
  }
}

/** Clicks every open gate once; records click → next headline in the same thread. */
async function approveUntilDone(h: Harness, count: number, deadline: number): Promise<number[]> {
  const clicked = new Set<string>();
  const waiting = new Map<string, { root: LocalSlackMessage; after: number; at: number }>();
  const latencies: number[] = [];
  for (;;) {
    const roots = h.slack.channelMessages(CHANNEL);
    for (const root of roots) {
      const thread = h.thread(root);
      const pending = waiting.get(root.ts);
      if (pending) {
        const shown = thread.some((m) => Number(textOf(m).match(HEADLINE)?.[1] ?? 0) > pending.after);
        if (shown) {
          latencies.push(performance.now() - pending.at);
          waiting.delete(root.ts);
        }
      }
      const gate = thread.find((m) => !clicked.has(m.ts) && JSON.stringify(m.blocks ?? []).includes('gate_approve'));
      if (!gate) continue;
      clicked.add(gate.ts);
      const last = Math.max(0, ...thread.map((m) => Number(textOf(m).match(HEADLINE)?.[1] ?? 0)));
      const at = performance.now();
      const answer = await h.click(gate, 'approve', APPROVER);
      if (answer.status !== 200) throw new Error(`Approve answered ${answer.status}`);
      // The last gate (Smoke Test, step 5) ends the workflow: no next step to wait for.
      if (last < STEP_HEADLINE_COUNT) waiting.set(root.ts, { root, after: last, at });
    }
    const { rows } = await h.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM workflows WHERE state IN ('succeeded', 'failed', 'rejected', 'cancelled')",
    );
    if (rows[0]!.n >= count && waiting.size === 0) return latencies;
    if (performance.now() > deadline) {
      throw new Error(`busy channel: ${rows[0]!.n} of ${count} workflows ended before the deadline`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
