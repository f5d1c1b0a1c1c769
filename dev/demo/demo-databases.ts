import { Client } from 'pg';
import { withDatabase } from '../../src/changes/targets/pg-tools';
import type { EmbeddedPostgres } from '../embedded-postgres/embedded-postgres';

/** Where the demo's databases live: a PostgreSQL server, or the Postgres embedded in the process. */
export type DemoPostgres = { kind: 'server'; url: string } | { kind: 'embedded'; server: EmbeddedPostgres };

/** Roles Supabase gives every project; the RLS audit probes as them. Cluster-wide, created once. */
const API_ROLES = ['anon', 'authenticated'];

/**
 * The demo's target: what a small Supabase project holds (auth.users, auth.uid(), the API roles'
 * grants) and one existing table, so the agents' migrations have something to build on.
 */
const TARGET_SQL = [
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
  'create table public.profiles (id uuid primary key references auth.users (id) on delete cascade, username text not null ' +
    'unique, created_at timestamptz not null default now())',
  'alter table public.profiles enable row level security',
  `create policy "Profiles are readable by everyone" on public.profiles for select using (true)`,
  `create policy "Users update their own profile" on public.profiles for update using (auth.uid() = id)`,
  `insert into auth.users (id, email) values ('00000000-0000-0000-0000-000000000001', 'ada@example.com')`,
  `insert into public.profiles (id, username) values ('00000000-0000-0000-0000-000000000001', 'ada')`,
];

/** The demo's two databases on one server: the bot's own state and the target its workflows change. */
export interface DemoDatabases {
  botUrl: string;
  targetUrl: string;
  /** The embedded server holding them, when there is no PostgreSQL server. */
  embedded?: EmbeddedPostgres;
  /** Drops both databases and every branch database cloned from the target. */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the bot's database and the target afresh (a demo starts empty, like its channel). */
export function createDemoDatabases(
  postgres: DemoPostgres,
  names: { bot: string; target: string },
): Promise<DemoDatabases> {
  return postgres.kind === 'server' ? createOnServer(postgres.url, names) : createEmbedded(postgres.server, names);
}

async function createRoles(client: Client): Promise<void> {
  for (const role of API_ROLES) {
    await client.query(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = '${role}') then create role ${role} nologin noinherit; end if;
    exception when duplicate_object or unique_violation then null; end $$`);
  }
}

async function loadTarget(targetUrl: string): Promise<void> {
  await withClient(targetUrl, async (c) => {
    for (const sql of TARGET_SQL) await c.query(sql);
  });
}

/** On a PostgreSQL server, whose user needs CREATEDB and CREATEROLE (or the roles must exist). */
async function createOnServer(serverUrl: string, names: { bot: string; target: string }): Promise<DemoDatabases> {
  const drop = () =>
    withClient(serverUrl, async (c) => {
      const { rows } = await c.query<{ datname: string }>(
        `select datname from pg_database where datname like 'infra\\_wf\\_%' and shobj_description(oid, 'pg_database') like $1`,
        [`%"target":"${names.target}"%`],
      );
      for (const name of [...rows.map((r) => r.datname), names.target, names.bot])
        await c.query(`drop database if exists "${name}" with (force)`);
    });
  await drop();
  await withClient(serverUrl, async (c) => {
    await createRoles(c);
    await c.query(`create database "${names.bot}"`);
    await c.query(`create database "${names.target}"`);
  });
  const targetUrl = withDatabase(serverUrl, names.target);
  await loadTarget(targetUrl);
  return { botUrl: withDatabase(serverUrl, names.bot), targetUrl, drop };
}

/** On the embedded Postgres, where each database is its own cluster: the target gets the roles, and branches copy them. */
async function createEmbedded(
  server: EmbeddedPostgres,
  names: { bot: string; target: string },
): Promise<DemoDatabases> {
  const drop = async () => {
    for (const name of server
      .databaseNames()
      .filter((n) => n.startsWith('infra_wf_') || n === names.bot || n === names.target))
      await server.dropDatabase(name);
  };
  await drop();
  await Promise.all([server.createDatabase(names.bot), server.createDatabase(names.target)]);
  const targetUrl = server.url(names.target);
  await withClient(targetUrl, createRoles);
  await loadTarget(targetUrl);
  return { botUrl: server.url(names.bot), targetUrl, embedded: server, drop };
}
