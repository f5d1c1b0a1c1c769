/**
 * Crashes at any moment, the full run: CHAOS_WORKFLOWS (default 30) query/RLS workflows, each
 * merging its own migration into a real target, while the worker (a child process, with the default
 * INFRA_JOB_LOCK_MS and INFRA_STALLED_INTERVAL_MS) is killed with SIGKILL CHAOS_KILLS times (default 30)
 * at seeded random moments and started again. Prints the seed (CHAOS_SEED replays a run) and writes to
 * bench/results/chaos.json: kills, time to resume each killed job, whether every workflow succeeded, and
 * keys posted twice and migrations merged other than once (both must be none). Needs the local Postgres
 * on 5432 (DATABASE_URL) and Redis; it starts its own branch server and removes everything it made.
 */
import { join } from 'node:path';
import { runChaos } from '../tests/support/chaos-run';
import { startBranchCluster, stopTestCluster } from '../tests/support/branch-server-cluster';
import { buildDist, summary, writeResults } from './timing';

const positive = (value: string | undefined, fallback: number) => (Number(value) > 0 ? Number(value) : fallback);

async function main(): Promise<void> {
  const workflows = positive(process.env.CHAOS_WORKFLOWS, 30);
  const kills = Number(process.env.CHAOS_KILLS ?? 30);
  const seed = positive(process.env.CHAOS_SEED, Math.floor(Math.random() * 2 ** 31));
  process.stdout.write(`chaos: ${workflows} workflows, ${kills} kills, seed ${seed} (CHAOS_SEED=${seed} replays it)\n`);
  // The restarted worker runs compiled JavaScript, as in the Docker image: its start is part of each resume.
  buildDist();
  process.env.INFRA_WORKER_ENTRY = join(__dirname, 'worker-process.js');
  const branch = await startBranchCluster();
  process.env.TEST_BRANCH_DATABASE_URL = branch.url;
  try {
    const result = await runChaos({
      workflows,
      kills,
      seed,
      pauseMs: [1000, 8000],
      // The production defaults, so the resume times are the ones a deployment sees.
      workerEnv: { INFRA_JOB_LOCK_MS: '8000', INFRA_STALLED_INTERVAL_MS: '2000' },
      timeoutMs: 60 * 60_000,
    });
    const succeeded = result.states.filter((s) => s === 'succeeded').length;
    const fields = {
      seed,
      workflows,
      kills: result.kills,
      durationS: Math.round(result.durationMs / 1000),
      succeeded,
      resumeMs: result.resumeMs.length ? summary(result.resumeMs) : null,
      resumedJobs: result.resumeMs.length,
      // The new process's own start (compiled JavaScript, as in the image) is part of each resume.
      workerStartMs: result.startupMs.length ? summary(result.startupMs) : null,
      failures: result.failures,
      postedTwice: result.postedTwice,
      rootMessages: result.rootMessages,
      migrationsNotMergedOnce: result.mergedCounts.flatMap((n, i) => (n === 1 ? [] : [{ workflow: i + 1, merged: n }])),
    };
    writeResults('chaos', fields);
    process.stdout.write(`${JSON.stringify(fields, null, 2)}\n`);
    const ok = succeeded === workflows && !result.postedTwice.length && fields.migrationsNotMergedOnce.length === 0;
    if (!ok) process.exitCode = 1;
  } finally {
    stopTestCluster(branch);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
