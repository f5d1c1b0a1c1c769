/**
 * The demo's embedded Postgres (PGlite served over the Postgres wire protocol): what a person waits
 * for when `npm run demo` finds no Postgres, and what it costs in memory.
 *
 * Measures, over BENCH_RUNS runs (default 3), each on a fresh server: start (WASM instantiation and
 * initdb of the template), create database (a clone of the template), create branch (a clone of the
 * target with every table emptied), the migration round trip on the branch (up, down, compare, up
 * again), a backup point (gzipped data directory), and the latency of `select 1` through `pg` over the
 * wire (BENCH_QUERIES queries, default 300). Also the process's resident memory after start and after
 * the target and three branches exist. Writes bench/results/embedded-postgres.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runRoundTrip } from '../src/changes/checks/round-trip';
import { embeddedChangeTarget } from '../dev/embedded-postgres/embedded-branch-provider';
import { EmbeddedPostgres } from '../dev/embedded-postgres/embedded-postgres';
import { createLogger } from '../src/logger';
import { round, summary, time, writeResults } from './timing';

const RUNS = Number(process.env.BENCH_RUNS) > 0 ? Number(process.env.BENCH_RUNS) : 3;
const QUERIES = Number(process.env.BENCH_QUERIES) > 0 ? Number(process.env.BENCH_QUERIES) : 300;

const TARGET_SCHEMA = `create role anon nologin; create role authenticated nologin;
  create schema auth; create table auth.users (id uuid primary key, email text);
  create function auth.uid() returns uuid language sql stable as $$ select null::uuid $$;
  insert into auth.users select gen_random_uuid(), 'user' || g || '@example.com' from generate_series(1, 1000) g;`;

const MIGRATION = {
  name: 'create_user_preferences',
  up_sql:
    "create table public.user_preferences (user_id uuid primary key references auth.users(id), theme text not null default 'light');\n" +
    'alter table public.user_preferences enable row level security;\n' +
    'create policy "owner reads" on public.user_preferences for select using (auth.uid() = user_id);',
  down_sql: 'drop table public.user_preferences;',
};

const mib = (bytes: number) => round(bytes / 1024 / 1024);

async function main(): Promise<void> {
  const samples: Record<string, number[]> = {};
  const record = (stage: string, ms: number) => (samples[stage] ??= []).push(ms);
  const memory: { afterStartMiB: number; withTargetAndThreeBranchesMiB: number }[] = [];
  const logger = createLogger('silent');
  for (let run = 0; run < RUNS; run++) {
    const backupDir = mkdtempSync(join(tmpdir(), 'bench-embedded-'));
    const [server, startMs] = await time(() => EmbeddedPostgres.start({ logger }));
    try {
      record('start', startMs);
      const afterStart = process.memoryUsage().rss;
      const [, createMs] = await time(() => server.createDatabase('target'));
      record('create database', createMs);
      const client = new Client({ connectionString: server.url('target') });
      await client.connect();
      await client.query(TARGET_SCHEMA);
      for (let i = 0; i < QUERIES; i++) {
        const [, ms] = await time(() => client.query('select 1'));
        record('select 1 over the wire', ms);
      }
      await client.end();
      const target = embeddedChangeTarget({ server, target: 'target', backupDir, logger });
      for (let id = 1; id <= 3; id++) {
        const [branch, branchMs] = await time(() => target.provider.createBranch(run * 10 + id));
        record('create branch', branchMs);
        if (id === 1) {
          const [trip, tripMs] = await time(() => runRoundTrip(target.provider, branch, MIGRATION));
          if (!trip.ok) throw new Error(`round trip failed: ${JSON.stringify(trip.stages)}`);
          record('round trip (up, down, compare, up again)', tripMs);
        }
      }
      memory.push({ afterStartMiB: mib(afterStart), withTargetAndThreeBranchesMiB: mib(process.memoryUsage().rss) });
      const [, backupMs] = await time(() => target.backupPoint());
      record('backup point', backupMs);
    } finally {
      await server.stop();
      rmSync(backupDir, { recursive: true, force: true });
    }
  }
  const stages = Object.fromEntries(Object.entries(samples).map(([stage, values]) => [stage, summary(values)]));
  writeResults('embedded-postgres', {
    runs: RUNS,
    queries: QUERIES,
    unit: 'ms',
    method:
      'wall time (performance.now) on a fresh EmbeddedPostgres per run; target has auth.users with 1000 rows; memory is the ' +
      'whole process RSS',
    stages,
    memory,
  });
  process.stdout.write(`${JSON.stringify({ stages, memory }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
