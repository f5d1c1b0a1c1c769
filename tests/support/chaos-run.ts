/**
 * The crash chaos run, shared by tests/e2e/resilience-chaos.test.ts (a few workflows) and
 * bench/chaos.ts (30): workflows on a real target, a worker in a child process killed with SIGKILL at
 * seeded random moments and started again, an approver clicking every gate, then what a user would
 * check: every workflow succeeded, no Slack message posted twice, every migration merged exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { textOf } from '../../dev/local-slack/block-text';
import type { BullJobQueue } from '../../src/engine/jobs/queues';
import { createTestTarget, dropBranchesOf, type TestTarget, withConnection } from '../changes/test-target';
import { APPROVER, CHANNEL, Harness } from './harness';
import { HANDOFFS } from './scripted-agents';
import { killWorker, spawnWorker } from './spawn-worker';

export interface ChaosOptions {
  workflows: number;
  /** Seeds the kill moments; print it, and pass it again to replay a failure. */
  seed: number;
  /** A kill comes after a pause drawn between these two (ms), counted from the previous worker's start. */
  pauseMs: [number, number];
  /** Kills in all; then the run waits for the workflows to end. */
  kills: number;
  /** Settings of the worker child (e.g. INFRA_JOB_LOCK_MS); the child's defaults are a 2 s lock, 1 s check. */
  workerEnv?: Record<string, string>;
  /** Gives up after this long (ms). */
  timeoutMs: number;
}

export interface ChaosResult {
  seed: number;
  kills: number;
  durationMs: number;
  /** Per kill that hit running jobs: ms from the kill until each was running again in the new worker. */
  resumeMs: number[];
  /** Per kill: ms from the kill until the new worker process was taking jobs. */
  startupMs: number[];
  states: string[];
  /** Why workflows that did not succeed ended, from their events. */
  failures: string[];
  /** Idempotency keys that chat.postMessage posted more than once. */
  postedTwice: string[];
  rootMessages: number;
  /** Times each workflow's migration is in the target's migration history. */
  mergedCounts: number[];
}

/** mulberry32: a small seeded generator, so a run can be repeated exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const tableOf = (n: number) => `public.chaos_notes_${n}`;

/** The backend-engineer's handoff for "… notes #n": its own table, with RLS and owner-only policies. */
function backendHandoff(n: number) {
  const table = tableOf(n);
  return {
    ...HANDOFFS['backend-engineer'],
    summary: `Owner-only notes table ${n} with RLS`,
    migration: {
      name: `chaos_notes_${n}`,
      up_sql:
        `create table ${table} (id uuid primary key references auth.users(id), body text not null default '');\n` +
        `alter table ${table} enable row level security;\n` +
        `create policy "owner reads" on ${table} for select using (auth.uid() = id);\n` +
        `create policy "owner writes" on ${table} for update using (auth.uid() = id);`,
      down_sql: `drop table ${table};`,
    },
    policies: [
      { table, name: 'owner reads', command: 'select', roles: ['authenticated'] },
      { table, name: 'owner writes', command: 'update', roles: ['authenticated'] },
    ],
  };
}

/** Runs the chaos and cleans up after itself; the caller asserts on the result. */
export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const random = seededRandom(opts.seed);
  const target: TestTarget = await createTestTarget();
  const h = await Harness.start({ worker: false, env: { TARGET_DATABASE_URL: target.url } });
  let worker: ChildProcess | undefined;
  try {
    h.claude.script(
      'backend-engineer',
      Array.from({ length: opts.workflows * 6 }, () => (request: { body: unknown }) => {
        const n = Number(/notes #(\d+)/.exec(JSON.stringify(request.body))?.[1]);
        return { toolUse: { name: 'submit_handoff', input: backendHandoff(n) } };
      }),
    );
    worker = await spawnWorker(h, opts.workerEnv);
    const started = Date.now();
    for (let n = 1; n <= opts.workflows; n++) await h.command(`Tighten the RLS policies of notes #${n}`);

    const done = async () => {
      const { rows } = await h.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM workflows WHERE state IN ('succeeded','failed','rejected','cancelled','rolled_back')`,
      );
      return rows[0]!.n >= opts.workflows;
    };
    const { queue } = h.runtime.queue as BullJobQueue;
    const resumeMs: number[] = [];
    const startupMs: number[] = [];
    let kills = 0;
    let finished = false;
    const approver = approveEveryGate(h, () => finished);
    try {
      while (!(await done())) {
        if (Date.now() - started > opts.timeoutMs)
          throw new Error(`chaos run (seed ${opts.seed}, ${kills} kills) timed out\n${h.slack.dump()}`);
        if (kills >= opts.kills) {
          await sleep(200);
          continue;
        }
        const [min, max] = opts.pauseMs;
        await sleep(min + random() * (max - min));
        if (await done()) break;
        const active = (await queue.getActive()).map((j) => j.id!);
        const killedAt = Date.now();
        await killWorker(worker);
        kills++;
        worker = await spawnWorker(h, opts.workerEnv);
        startupMs.push(Date.now() - killedAt);
        resumeMs.push(...(await resumed(queue, active, killedAt)));
      }
    } finally {
      finished = true;
      await approver;
    }
    const durationMs = Date.now() - started;
    return { seed: opts.seed, kills, durationMs, resumeMs, startupMs, ...(await outcome(h, target, opts.workflows)) };
  } finally {
    if (worker) await killWorker(worker);
    await h.close();
    await dropBranchesOf(target);
    await target.cleanup();
  }
}

/** Waits until each job that was running at the kill runs again (or is done); ms after the kill for each. */
async function resumed(queue: BullJobQueue['queue'], ids: string[], killedAt: number): Promise<number[]> {
  const times: number[] = [];
  for (const id of ids) {
    for (;;) {
      const job = await queue.getJob(id);
      const state = job ? await job.getState() : 'unknown';
      if (!job || state === 'completed' || state === 'failed' || (job.processedOn ?? 0) > killedAt) {
        times.push(Math.max(0, (job?.processedOn ?? Date.now()) - killedAt));
        break;
      }
      if (Date.now() - killedAt > 120_000) throw new Error(`job ${id} did not run again within 120 s of the kill`);
      await sleep(50);
    }
  }
  return times;
}

/** The approver: clicks Approve on every open gate, again if a click came while it could not be recorded. */
async function approveEveryGate(h: Harness, stop: () => boolean): Promise<void> {
  const clicked = new Map<string, number>();
  while (!stop()) {
    for (const root of h.slack.channelMessages(CHANNEL)) {
      for (const m of h.thread(root)) {
        if (!JSON.stringify(m.blocks ?? []).includes('gate_approve') || !textOf(m).includes('Quality gate')) continue;
        const last = clicked.get(m.ts);
        if (last !== undefined && Date.now() - last < 5000) continue;
        clicked.set(m.ts, Date.now());
        await h.click(m, 'approve', APPROVER).catch(() => undefined);
      }
    }
    await sleep(100);
  }
}

async function outcome(h: Harness, target: TestTarget, workflows: number) {
  const { rows } = await h.pool.query<{ state: string }>('SELECT state FROM workflows ORDER BY id');
  const posts = new Map<string, number>();
  for (const call of h.slack.calls) {
    if (call.method !== 'chat.postMessage' || !call.ok) continue;
    const key = (call.params.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key;
    if (key) posts.set(key, (posts.get(key) ?? 0) + 1);
  }
  const merged = await withConnection(target.url, (c) =>
    c.query<{ name: string; n: number }>(
      'SELECT name, count(*)::int AS n FROM supabase_migrations.schema_migrations GROUP BY name',
    ),
  );
  const counts = new Map(merged.rows.map((r) => [r.name, r.n]));
  const failures = await h.pool.query<{ id: string; state: string; error: string | null }>(
    `SELECT id, state, error FROM workflows WHERE state <> 'succeeded' ORDER BY id`,
  );
  return {
    states: rows.map((r) => r.state),
    failures: failures.rows.map((r) => `#${r.id} ${r.state}: ${r.error ?? ''}`),
    postedTwice: [...posts].filter(([, n]) => n > 1).map(([key]) => key),
    rootMessages: h.slack.channelMessages(CHANNEL).length,
    mergedCounts: Array.from({ length: workflows }, (_, i) => counts.get(`chaos_notes_${i + 1}`) ?? 0),
  };
}
