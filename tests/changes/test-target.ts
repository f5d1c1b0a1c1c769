import { randomBytes, randomInt } from 'node:crypto';
import { Client } from 'pg';
import { createLogger } from '../../src/logger';
import type { LocalBranchProviderOptions } from '../../src/changes/targets/local-branch-options';
import { LocalBranchProvider } from '../../src/changes/targets/local-branch-provider';

/** The test server, which plays production; each test makes its own databases on it. */
export const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The branch server: a cluster of its own that jest's global set-up starts (tests/support/branch-server-setup.ts),
 * logged in as a role with CREATEDB and CREATEROLE only.
 */
export function branchServerUrl(): string {
  const url = process.env.TEST_BRANCH_DATABASE_URL;
  if (!url)
    throw new Error(
      'TEST_BRANCH_DATABASE_URL is not set: run the tests through jest, whose global set-up starts the branch server (or ' +
        'start one with startBranchCluster).',
    );
  return url;
}

/** The secret the test providers derive branch passwords from. */
export const ROLE_SECRET = 'test-branch-role-secret';

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

/**
 * Creates `infra_tgt_<random>` with TARGET_SCHEMA_SQL (or `schemaSql`) on the production server, and a provider
 * making its branches on the branch server.
 */
export async function createTestTarget(
  options: { schemaSql?: string; provider?: Partial<LocalBranchProviderOptions> } = {},
): Promise<TestTarget> {
  const name = `infra_tgt_${randomBytes(6).toString('hex')}`;
  const url = urlFor(name);
  const workflowIds: number[] = [];
  await withConnection(SERVER_URL, (c) => c.query(`CREATE DATABASE ${name}`));
  // A provider given `branchServerUrl: undefined` keeps its branches on the target's server (the shared mode).
  const branchServer =
    options.provider && 'branchServerUrl' in options.provider
      ? (options.provider.branchServerUrl ?? SERVER_URL)
      : branchServerUrl();
  const cleanup = async (): Promise<void> => {
    await withConnection(urlFor('postgres', branchServer), async (c) => {
      for (const id of workflowIds) {
        const branch = `infra_wf_${id}${options.provider?.namespace ? `_${options.provider.namespace}` : ''}`;
        await dropDatabase(c, branch);
        await c.query(`DROP ROLE IF EXISTS ${branch}_owner, ${branch}_reader`);
      }
    });
    await withConnection(SERVER_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  };
  try {
    await withConnection(url, (c) => c.query(options.schemaSql ?? TARGET_SCHEMA_SQL));
  } catch (error) {
    await cleanup();
    throw error;
  }
  const provider = new LocalBranchProvider({
    targetUrl: url,
    branchServerUrl: branchServer,
    roleSecret: ROLE_SECRET,
    logger: createLogger('silent'),
    ...options.provider,
  });
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

/** The branch databases on the branch server that were cloned from the target `target`. */
export async function branchDatabasesOf(target: Pick<TestTarget, 'name'>): Promise<string[]> {
  return withConnection(branchServerUrl(), async (c) => {
    const { rows } = await c.query(
      `SELECT datname FROM pg_database WHERE datname LIKE 'infra_wf_%' AND shobj_description(oid, 'pg_database') LIKE $1`,
      [`%"target":"${target.name}"%`],
    );
    return rows.map((r) => r.datname as string);
  });
}

/** Drops every branch of `target` left on the branch server, with its two roles. */
export async function dropBranchesOf(target: Pick<TestTarget, 'name'>): Promise<void> {
  const names = await branchDatabasesOf(target);
  await withConnection(branchServerUrl(), async (c) => {
    for (const name of names) {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS ${name}_owner, ${name}_reader`);
    }
  });
}

/**
 * Drops a branch database as the branch server's login. FORCE may not signal a backend of a branch
 * role the login is not a member of; such a backend is one the test just closed, so wait until it is gone.
 */
async function dropDatabase(c: { query(sql: string): Promise<unknown> }, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '42501' || attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Polls until the target has no branch databases left (the bot removes them just after its report). */
export async function noBranchesLeft(target: Pick<TestTarget, 'name'>): Promise<void> {
  const deadline = Date.now() + 10_000;
  let left = await branchDatabasesOf(target);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = await branchDatabasesOf(target);
  }
  expect(left).toEqual([]);
}
