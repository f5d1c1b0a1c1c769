import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';

const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Creates a cluster-wide role once; concurrent test files may race, and roles are never dropped. */
const ensureRole = (role: string): string => `
  do $$ begin
    if not exists (select 1 from pg_roles where rolname = '${role}') then create role ${role} nologin noinherit; end if;
  exception when duplicate_object or unique_violation then null;
  end $$`;

/** What Supabase gives a project and the audit relies on: API roles, auth.users and auth.uid(). */
const SUPABASE_LIKE = [
  'create schema auth',
  'create table auth.users (id uuid primary key, email text)',
  `create function auth.uid() returns uuid language sql stable as $$
     select nullif(coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                            nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'), '')::uuid
   $$`,
  'grant usage on schema auth to anon, authenticated',
  'grant usage on schema public to anon, authenticated',
  'alter default privileges in schema public grant all on tables to anon, authenticated',
  'alter default privileges in schema public grant all on sequences to anon, authenticated',
];

/** A throwaway database `infra_rls_<random>` shaped like a Supabase project; `drop()` removes it. */
export async function createSupabaseTestDatabase(): Promise<{ name: string; pool: Pool; drop: () => Promise<void> }> {
  const name = `infra_rls_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: BASE_DATABASE_URL, max: 1 });
  await admin.query(ensureRole('anon'));
  await admin.query(ensureRole('authenticated'));
  await admin.query(`create database ${name}`);
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 2 });
  pool.on('error', () => undefined); // `drop database … with (force)` may end a connection that is still closing
  const drop = async (): Promise<void> => {
    await pool.end();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
  try {
    for (const sql of SUPABASE_LIKE) await pool.query(sql);
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, pool, drop };
}
