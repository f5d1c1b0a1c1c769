import { Client } from 'pg';
import { withDatabase } from '../../src/changes/targets/pg-tools';
import type { EmbeddedPostgres } from '../embedded-postgres/embedded-postgres';
import { DemoServicesMissingError } from '../../src/domain/errors';
import { placeOf } from '../../src/service-reachability';

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

/** Which demo a database belongs to: its name, and whether it was made for one run only. */
export interface DemoOwner {
  name: string;
  perRun: boolean;
}

/**
 * Creates the bot's database and the target afresh (a demo starts empty, like its channel). On a server,
 * each database is marked as the demo's (a comment); a database of the same name that is not the demo's,
 * or that something is connected to, is never dropped: the demo stops and says so.
 */
export function createDemoDatabases(
  postgres: DemoPostgres,
  names: { bot: string; target: string },
  owner: DemoOwner = { name: names.bot, perRun: false },
): Promise<DemoDatabases> {
  return postgres.kind === 'server'
    ? createOnServer(postgres.url, names, owner)
    : createEmbedded(postgres.server, names);
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

const MARK = 'infra_demo';

function markOf(note: string | null): DemoOwner | undefined {
  try {
    const parsed = JSON.parse(note ?? '') as Record<string, unknown>;
    return typeof parsed[MARK] === 'string' ? { name: parsed[MARK], perRun: parsed.per_run === true } : undefined;
  } catch {
    return undefined;
  }
}

/** Refuses to touch a database of the demo's names that another program made, or that is in use. */
async function checkNamesFree(c: Client, serverUrl: string, names: { bot: string; target: string }): Promise<void> {
  const { rows } = await c.query<{ datname: string; note: string | null; conns: number }>(
    `select d.datname, shobj_description(d.oid, 'pg_database') as note,
            (select count(*)::int from pg_stat_activity a where a.datname = d.datname) as conns
       from pg_database d where d.datname = any($1)`,
    [[names.bot, names.target]],
  );
  for (const row of rows) {
    if (!markOf(row.note)) {
      throw new DemoServicesMissingError(
        `The database ${row.datname} on ${placeOf(serverUrl)} already exists and was not made by the demo, so the ` +
          'demo leaves it alone. Start the demo under another name: INFRA_DEMO_NAME=other npm run demo.',
      );
    }
    if (row.conns > 0) {
      throw new DemoServicesMissingError(
        `The database ${row.datname} on ${placeOf(serverUrl)} is in use (${row.conns} connection(s)): another demo ` +
          'with this name may be running. Stop it, or start this one under another name: INFRA_DEMO_NAME=other npm run demo.',
      );
    }
  }
}

/** Drops a target's branch databases, then the given databases. */
async function dropDatabases(c: Client, target: string, names: string[]): Promise<void> {
  const { rows } = await c.query<{ datname: string }>(
    `select datname from pg_database where datname like 'infra\\_wf\\_%' and shobj_description(oid, 'pg_database') like $1`,
    [`%"target":"${target}"%`],
  );
  for (const name of [...rows.map((r) => r.datname), ...names])
    await c.query(`drop database if exists "${name}" with (force)`);
}

/**
 * Drops what earlier one-run demos left when they were killed: databases marked per-run whose demo holds
 * no claim any more (`claimed` asks Redis) and that nothing is connected to.
 */
export async function sweepAbandonedDemos(
  serverUrl: string,
  claimed: (name: string) => Promise<boolean>,
): Promise<string[]> {
  return withClient(serverUrl, async (c) => {
    const { rows } = await c.query<{ datname: string; note: string | null; conns: number }>(
      `select d.datname, shobj_description(d.oid, 'pg_database') as note,
              (select count(*)::int from pg_stat_activity a where a.datname = d.datname) as conns
         from pg_database d where shobj_description(d.oid, 'pg_database') like '%"${MARK}"%'`,
    );
    const dropped: string[] = [];
    for (const row of rows) {
      const owner = markOf(row.note);
      if (!owner?.perRun || row.conns > 0 || (await claimed(owner.name))) continue;
      await dropDatabases(c, row.datname, [row.datname]);
      dropped.push(row.datname);
    }
    return dropped;
  });
}

/** On a PostgreSQL server, whose user needs CREATEDB and CREATEROLE (or the roles must exist). */
async function createOnServer(
  serverUrl: string,
  names: { bot: string; target: string },
  owner: DemoOwner,
): Promise<DemoDatabases> {
  const drop = () => withClient(serverUrl, (c) => dropDatabases(c, names.target, [names.target, names.bot]));
  await withClient(serverUrl, async (c) => {
    await checkNamesFree(c, serverUrl, names);
    await dropDatabases(c, names.target, [names.target, names.bot]);
    await createRoles(c);
    const mark = JSON.stringify({ [MARK]: owner.name, per_run: owner.perRun }).replace(/'/g, "''");
    for (const name of [names.bot, names.target]) {
      await c.query(`create database "${name}"`);
      await c.query(`comment on database "${name}" is '${mark}'`);
    }
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
