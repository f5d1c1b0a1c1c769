import { randomBytes, randomInt } from 'node:crypto';
import { Client } from 'pg';
import { createLogger } from '../../src/logger';
import { LocalBranchProvider, LocalBranchProviderOptions } from '../../src/changes/local-branch-provider';

/** The test server; each test makes its own databases on it. */
export const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A small Supabase-like schema: `auth.users`, an `auth.uid()`, and `public.profiles` with RLS and a row. */
export const TARGET_SCHEMA_SQL = `
  CREATE SCHEMA IF NOT EXISTS auth;
  CREATE TABLE auth.users (id uuid PRIMARY KEY);
  CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
  CREATE TABLE public.profiles (
    id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
    username text NOT NULL UNIQUE,
    bio text,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX profiles_created_at_idx ON public.profiles (created_at);
  ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
  CREATE POLICY "Profiles are readable by everyone" ON public.profiles FOR SELECT USING (true);
  CREATE POLICY "Users update their own profile" ON public.profiles FOR UPDATE USING (auth.uid() = id);
  INSERT INTO auth.users VALUES ('00000000-0000-0000-0000-000000000001');
  INSERT INTO public.profiles (id, username, bio) VALUES ('00000000-0000-0000-0000-000000000001', 'ada', 'engines');`;

/** `url` with another database on the same server. */
export function urlFor(database: string, base = SERVER_URL): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `fn` with a connection to `url`, closed afterwards. */
export async function withConnection<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** True when `table` (schema-qualified) exists in the database at `url`. */
export async function hasTable(url: string, table: string): Promise<boolean> {
  const { rows } = await withConnection(url, (c) => c.query('SELECT to_regclass($1) IS NOT NULL AS found', [table]));
  return rows[0].found === true;
}

/** A target database of one test, its provider, and the clean-up of everything the test made. */
export interface TestTarget {
  name: string;
  url: string;
  provider: LocalBranchProvider;
  /** A workflow id no other test uses; its branch is dropped by `cleanup`. */
  newWorkflowId(): number;
  /** Drops the target and every branch of the workflow ids handed out. */
  cleanup(): Promise<void>;
}

/** Creates `infra_tgt_<random>` with TARGET_SCHEMA_SQL (or `schemaSql`) and a provider for it. */
export async function createTestTarget(options: { schemaSql?: string; provider?: Partial<LocalBranchProviderOptions> } = {}): Promise<TestTarget> {
  const name = `infra_tgt_${randomBytes(6).toString('hex')}`;
  const url = urlFor(name);
  const workflowIds: number[] = [];
  await withConnection(SERVER_URL, (c) => c.query(`CREATE DATABASE ${name}`));
  const cleanup = async (): Promise<void> => {
    await withConnection(SERVER_URL, async (c) => {
      for (const id of workflowIds) await c.query(`DROP DATABASE IF EXISTS infra_wf_${id} WITH (FORCE)`);
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  };
  try {
    await withConnection(url, (c) => c.query(options.schemaSql ?? TARGET_SCHEMA_SQL));
  } catch (error) {
    await cleanup();
    throw error;
  }
  const provider = new LocalBranchProvider({ targetUrl: url, logger: createLogger('silent'), ...options.provider });
  return {
    name,
    url,
    provider,
    newWorkflowId: () => {
      const id = randomInt(100_000_000, 2_000_000_000);
      workflowIds.push(id);
      return id;
    },
    cleanup,
  };
}
