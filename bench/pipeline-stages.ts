/**
 * Change-safety pipeline stages on a small migration: how long each deterministic stage takes on the
 * local Postgres branch provider (the self-hosted path; the Supabase path adds the Management API's own
 * latency). Stages: lint (squawk), branch create (a database cloned from the target's schema), up,
 * down, compare, up again (each includes the schema snapshot that checks it), RLS audit (catalog
 * checks and anon/authenticated probes), branch delete.
 *
 * BENCH_RUNS runs (default 7) on a fresh target database each time; writes the median, p95 and max of each
 * stage to bench/results/pipeline-stages.json and removes every database it made.
 */
import { Pool } from 'pg';
import { lintMigration } from '../src/changes/checks/migration-lint';
import { auditRls } from '../src/changes/checks/rls-audit';
import { runRoundTrip } from '../src/changes/checks/round-trip';
import { createSupabaseTestDatabase } from '../tests/changes/supabase-test-database';
import { createTestTarget } from '../tests/changes/test-target';
import { startBranchCluster, stopTestCluster } from '../tests/support/branch-server-cluster';
import { summary, time, writeResults } from './timing';

const RUNS = Number(process.env.BENCH_RUNS) > 0 ? Number(process.env.BENCH_RUNS) : 7;

const MIGRATION = {
  name: 'create_user_preferences',
  up_sql:
    'create table public.user_preferences (user_id uuid primary key references auth.users(id), theme text not null default ' +
    "'light', locale text not null default 'en');\n" +
    'alter table public.user_preferences enable row level security;\n' +
    'create policy "owner reads" on public.user_preferences for select using (auth.uid() = user_id);\n' +
    'create policy "owner writes" on public.user_preferences for update using (auth.uid() = user_id);',
  down_sql: 'drop table public.user_preferences;',
};

async function main(): Promise<void> {
  // Branches go on a branch server apart from the target's, as in production: a cluster of our own unless one is named.
  const cluster = process.env.TEST_BRANCH_DATABASE_URL ? undefined : await startBranchCluster();
  if (cluster) process.env.TEST_BRANCH_DATABASE_URL = cluster.url;
  try {
    await measure();
  } finally {
    if (cluster) stopTestCluster(cluster);
  }
}

async function measure(): Promise<void> {
  // The anon and authenticated roles the probes act as (created once per server, never dropped).
  await (await createSupabaseTestDatabase()).drop();
  const samples: Record<string, number[]> = {};
  const record = (stage: string, ms: number) => (samples[stage] ??= []).push(ms);
  for (let run = 0; run < RUNS; run++) {
    const target = await createTestTarget();
    try {
      const [lint, lintMs] = await time(() => lintMigration(MIGRATION.up_sql));
      record('lint', lintMs);
      const id = target.newWorkflowId();
      const [branch, createMs] = await time(() => target.provider.createBranch(id));
      record('branch create', createMs);
      const [trip] = await time(() => runRoundTrip(target.provider, branch, MIGRATION));
      if (!trip.ok) throw new Error(`round trip failed: ${JSON.stringify(trip.stages)}`);
      for (const stage of trip.stages) record(stage.name, stage.ms);
      const pool = new Pool({ connectionString: branch.databaseUrl, max: 1 });
      const [audit, auditMs] = await time(() => auditRls(pool, { tables: ['public.user_preferences'] }));
      await pool.end();
      record('rls audit', auditMs);
      const [, deleteMs] = await time(() => target.provider.deleteBranch(id));
      record('branch delete', deleteMs);
      if (run === 0)
        process.stdout.write(
          `lint findings: ${lint.violations.length}, audit findings: ${audit.findings.length}, probes: ${audit.probes.length}\n`,
        );
    } finally {
      await target.cleanup();
    }
  }
  const stages = Object.fromEntries(Object.entries(samples).map(([stage, values]) => [stage, summary(values)]));
  writeResults('pipeline-stages', {
    runs: RUNS,
    unit: 'ms',
    migration: MIGRATION.name,
    method:
      'wall time per stage (performance.now), local Postgres branch provider with branches on a second local cluster, fresh ' +
      'target database per run; up/down/compare/up-again include the schema snapshot that checks each',
    stages,
  });
  process.stdout.write(`${JSON.stringify(stages, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
