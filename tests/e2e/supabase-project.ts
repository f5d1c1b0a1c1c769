/**
 * A Supabase project for the end-to-end tests: the fake Management API in front of real databases,
 * production and one per branch, running what the API would run on them.
 */
import type { Pool } from 'pg';
import { createSupabaseTestDatabase } from '../changes/supabase-test-database';
import { type FakeSupabaseApi, startFakeSupabaseApi } from '../support/fake-supabase-api';

export type Db = Awaited<ReturnType<typeof createSupabaseTestDatabase>>;

const HISTORY_SQL =
  'create schema supabase_migrations; create table supabase_migrations.schema_migrations (version text primary key, ' +
  'statements text[], name text)';

/** Runs what the Management API would run, on a real database: one connection per request, as the API does. */
async function runOn(pool: Pool, sql: string, readOnly: boolean): Promise<Array<Record<string, unknown>>> {
  const client = await pool.connect();
  try {
    if (readOnly) await client.query('begin read only');
    const result = (await client.query(sql)) as unknown;
    if (readOnly) await client.query('commit');
    const results = Array.isArray(result) ? result : [result];
    return (results[results.length - 1] as { rows?: Array<Record<string, unknown>> }).rows ?? [];
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw new Error(`Failed to run sql query: ERROR: ${(error as Error).message}`);
  } finally {
    client.release();
  }
}

export interface SupabaseProject {
  api: FakeSupabaseApi;
  production: Db;
  /** The branches' databases, by project ref. */
  branches: Map<string, Db>;
  close(): Promise<void>;
}

/** Production with a migration history, the API answering for it and its branches, a backup and one advisor finding. */
export async function startSupabaseProject(): Promise<SupabaseProject> {
  const branches = new Map<string, Db>();
  const production = await createSupabaseTestDatabase();
  await production.pool.query(HISTORY_SQL);
  // Branch details point at a closed local port: the direct connection is refused at once, as when it is unreachable.
  const api = await startFakeSupabaseApi({ dbHost: '127.0.0.1', dbPort: 1 });
  const dbOf = async (ref: string): Promise<Db> => {
    if (ref === api.projectRef) return production;
    let branch = branches.get(ref);
    if (!branch) {
      branch = await createSupabaseTestDatabase();
      branches.set(ref, branch);
    }
    return branch;
  };
  api.onQuery = async (ref, body) => runOn((await dbOf(ref)).pool, body.query, body.read_only ?? false);
  api.onMigration = async (ref, body) => {
    const db = await dbOf(ref);
    await runOn(
      db.pool,
      `begin;\n${body.query}\n;\ninsert into supabase_migrations.schema_migrations (version, name, statements) values ` +
        `('20250101000000', '${body.name}', array['-']);\ncommit;`,
      false,
    );
  };
  api.backupList = [{ is_physical_backup: true, status: 'COMPLETED', inserted_at: '2026-11-30T03:00:00.000Z' }];
  api.lints = [
    {
      name: 'auth_users_exposed',
      title: 'Exposed Auth Users',
      level: 'WARN',
      facing: 'EXTERNAL',
      categories: ['SECURITY'],
      description: 'auth.users exposed',
      detail: 'View public.profiles exposes auth.users.',
      remediation: 'Remove the view or revoke access.',
      metadata: {},
      cache_key: 'auth_users_exposed_public_profiles',
    },
  ];
  return {
    api,
    production,
    branches,
    async close() {
      await api.close();
      for (const db of branches.values()) await db.drop();
      branches.clear();
      await production.drop();
    },
  };
}
