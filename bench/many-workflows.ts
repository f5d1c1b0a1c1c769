/**
 * A bot with many open workflows: BENCH_WAITING (default 1,000) workflows queued behind a target's lock
 * and BENCH_AT_GATE (default 1,000) waiting at an open gate (each on a target of its own, which it
 * holds), inserted straight through the repositories (as if their jobs had run: plan, steps, root, the
 * posts' idempotency keys, the `waiting_for_target` event or the first step done with its gate open),
 * while BENCH_ACTIVE (default 4) workflows run one after another on the bot's own target through the
 * real path (signed /infra, gates clicked).
 *
 * The worker runs in a process of its own (`node dist/main.js worker`, built first), so its RSS is the
 * worker's alone: sampled from /proc every 500 ms, before the waiting workflows exist and while they wait over
 * several reconcile ticks (INFRA_RECONCILE_INTERVAL_MS is 5 s here, 30 s by default, so a short run sees
 * several). Approve → next step: click until the next `[i/n] Invoking` shows in the thread.
 * Writes bench/results/many-workflows.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Plan } from '../src/domain/plan';
import { inTransaction } from '../src/store/db';
import { recordEvent } from '../src/store/events';
import { completeMessage, reserveMessage } from '../src/store/slack-messages-repo';
import { openGate } from '../src/store/gates-repo';
import { getStepByIndex, insertSteps, transitionStep } from '../src/store/steps-repo';
import { acquireTarget } from '../src/store/target-locks-repo';
import { insertWorkflow, setPlan, setRootTs, transitionWorkflow } from '../src/store/workflows-repo';
import { APPROVER, CHANNEL, Harness, REQUESTER } from '../tests/support/harness';
import { envOf } from '../tests/support/spawn-worker';
import { scriptSchemaChange } from '../tests/support/scripted-agents';
import { buildDist, round, summary, writeResults } from './timing';

const intFromEnv = (name: string, fallback: number) =>
  Number.isInteger(Number(process.env[name])) && Number(process.env[name]) > 0 ? Number(process.env[name]) : fallback;
const WAITING = intFromEnv('BENCH_WAITING', 1000);
const AT_GATE = intFromEnv('BENCH_AT_GATE', 1000);
const ACTIVE = intFromEnv('BENCH_ACTIVE', 4);
const BUSY_TARGET = 'bench-busy-target';
const HEADLINE = /^\[(\d)\/5\] /;

/** The process's resident set in MiB; undefined once it has exited. */
const rssMiB = (pid: number): number | undefined => {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line ? round(Number(line[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The worker as production runs it: `node dist/main.js worker` (built here first), with the harness's
 * settings in its environment. ts-node would add the TypeScript compiler's memory to the worker's RSS.
 */
function spawnWorker(h: Harness): ChildProcess {
  buildDist();
  const root = join(__dirname, '..');
  return spawn(process.execPath, [join(root, 'dist/main.js'), 'worker'], {
    cwd: root,
    env: envOf(h.config),
    stdio: 'inherit',
  });
}

/** One workflow on the bot's target, every gate approved; returns Approve → next headline times. */
async function runActive(h: Harness, n: number): Promise<number[]> {
  await h.command(`Add a new table number ${n}`);
  const root = await h.root(n);
  const latencies: number[] = [];
  for (const title of ['API Review', 'Branch Test', 'Security', 'Smoke Test']) {
    const gate = await h.openGate(root, title);
    const last = Math.max(0, ...h.threadTexts(root).map((t) => Number(t.match(HEADLINE)?.[1] ?? 0)));
    const at = performance.now();
    await h.click(gate, 'approve', APPROVER);
    if (last >= 5) break;
    await h.slack.waitFor(() => h.threadTexts(root).some((t) => Number(t.match(HEADLINE)?.[1] ?? 0) > last), {
      description: `step after ${title}`,
      timeoutMs: 60_000,
    });
    latencies.push(performance.now() - at);
  }
  await h.slack.waitFor(() => h.threadTexts(root).some((t) => t.includes('Workflow complete')), { timeoutMs: 60_000 });
  return latencies;
}

/** The waiting workflows, as their plan job leaves them when the target is taken. */
async function insertWaiting(h: Harness, plan: Plan): Promise<void> {
  const holder = await insertWorkflow(h.pool, {
    request: 'holds the busy target',
    requester: REQUESTER,
    teamId: h.slack.teamId,
    channelId: 'C0BUSY',
    target: BUSY_TARGET,
  });
  await acquireTarget(h.pool, BUSY_TARGET, holder.id);
  await transitionWorkflow(h.pool, holder.id, ['planned'], 'running', { type: 'workflow_started', actor: null });
  await transitionWorkflow(h.pool, holder.id, ['running'], 'waiting_gate', { type: 'gate_opened', actor: null });
  // One transaction each, so the reconciler never sees a workflow half made (planned without a plan).
  for (let i = 0; i < WAITING; i++) {
    await inTransaction(h.pool, async (tx) => {
      const w = await insertWorkflow(tx, {
        request: `waiting request ${i}`,
        requester: REQUESTER,
        teamId: h.slack.teamId,
        channelId: 'C0BUSY',
        target: BUSY_TARGET,
      });
      await setPlan(tx, w.id, plan, 'bench');
      await insertSteps(tx, w.id, plan.steps);
      const rootTs = `1600000000.${String(w.id).padStart(6, '0')}`;
      await setRootTs(tx, w.id, rootTs);
      for (const key of [`wf:${w.id}:root`, `wf:${w.id}:plan`, `wf:${w.id}:waiting-${holder.id}`]) {
        await reserveMessage(tx, key, 'C0BUSY');
        await completeMessage(tx, key, rootTs);
      }
      await recordEvent(tx, w.id, 'waiting_for_target', null, { holder: holder.id });
    });
  }
}

/** Workflows waiting at their first step's open gate, each holding a target of its own. */
async function insertAtGate(h: Harness, plan: Plan): Promise<void> {
  const gate = plan.steps[0]!.gate!;
  for (let i = 0; i < AT_GATE; i++) {
    await inTransaction(h.pool, async (tx) => {
      const target = `bench-gate-target-${i}`;
      const w = await insertWorkflow(tx, {
        request: `request at a gate ${i}`,
        requester: REQUESTER,
        teamId: h.slack.teamId,
        channelId: 'C0GATES',
        target,
      });
      await setPlan(tx, w.id, plan, 'bench');
      await insertSteps(tx, w.id, plan.steps);
      const rootTs = `1600000001.${String(w.id).padStart(6, '0')}`;
      await setRootTs(tx, w.id, rootTs);
      await acquireTarget(tx, target, w.id);
      await transitionWorkflow(tx, w.id, ['planned'], 'running', { type: 'workflow_started', actor: null });
      const step = (await getStepByIndex(tx, w.id, 0))!;
      const running = (await transitionStep(tx, step, ['pending'], 'running'))!;
      await transitionStep(tx, running, ['running'], 'succeeded');
      const opened = await openGate(tx, { workflowId: w.id, stepId: step.id, kind: gate, merges: false, checks: [] });
      await transitionWorkflow(tx, w.id, ['running'], 'waiting_gate', { type: 'gate_opened', actor: null });
      for (const key of [`wf:${w.id}:root`, `wf:${w.id}:plan`, `step:${step.id}:progress`, `gate:${opened.id}`]) {
        await reserveMessage(tx, key, 'C0GATES');
        await completeMessage(tx, key, rootTs);
      }
    });
  }
}

async function main(): Promise<void> {
  const h = await Harness.start({ worker: false, env: { INFRA_RECONCILE_INTERVAL_MS: '5000' } });
  let worker: ChildProcess | undefined;
  const samples: Array<{ t: number; rss: number; phase: string }> = [];
  let phase = 'idle';
  const started = performance.now();
  try {
    worker = spawnWorker(h);
    const pid = worker.pid!;
    worker.on('exit', (code, signal) => console.error(`worker exited (${code ?? signal}) during ${phase}`));
    const sampler = setInterval(() => {
      const rss = rssMiB(pid);
      if (rss !== undefined) samples.push({ t: round(performance.now() - started), rss, phase });
    }, 500);
    // Spare turns: a step retried after a transient error asks its agent again.
    for (let i = 0; i < ACTIVE + 3; i++) scriptSchemaChange(h.claude);
    phase = 'baseline';
    const baseline = await runActive(h, 1);
    const { rows } = await h.pool.query<{ plan: Plan }>('SELECT plan FROM workflows WHERE id = 1');
    console.log(`baseline done: ${baseline.map(round).join(', ')} ms; inserting ${WAITING} + ${AT_GATE} workflows`);
    phase = 'inserting';
    const insertStarted = performance.now();
    await insertWaiting(h, rows[0]!.plan);
    await insertAtGate(h, rows[0]!.plan);
    const insertMs = performance.now() - insertStarted;
    phase = 'waiting';
    const latencies: number[] = [];
    for (let n = 2; n <= ACTIVE + 1; n++) latencies.push(...(await runActive(h, n)));
    await new Promise((r) => setTimeout(r, 12_000)); // two more reconcile ticks with nothing else running
    clearInterval(sampler);
    const events = await h.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE type = 'waiting_for_target'",
    );
    const sorted = [...latencies].sort((a, b) => a - b);
    const p99 = round(sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]!);
    const rss = (p: string) => samples.filter((s) => s.phase === p).map((s) => s.rss);
    const result = {
      waiting: WAITING,
      atGate: AT_GATE,
      activeWorkflows: ACTIVE,
      insertMs: round(insertMs),
      rssMiB: {
        baselineMax: Math.max(...rss('baseline')),
        waitingMax: Math.max(...rss('waiting')),
        waitingLast: rss('waiting').at(-1),
        target: 250,
      },
      approveToNextStepMs: {
        baseline: summary(baseline),
        waiting: { ...summary(latencies), p99 },
        target: { p99: 250 },
      },
      waitingForTargetEvents: { inserted: WAITING, atEnd: events.rows[0]!.n },
      samples,
      notes:
        `worker: node dist/main.js worker; reconcile every 5 s; channel ${CHANNEL}; ` +
        `waiting workflows on ${BUSY_TARGET}, ${AT_GATE} at an open gate`,
    };
    console.log(JSON.stringify({ ...result, samples: `${samples.length} samples` }, null, 2));
    writeResults('many-workflows', result);
  } finally {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await h.close();
  }
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
