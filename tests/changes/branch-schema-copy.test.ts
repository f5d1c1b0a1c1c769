import type { Branch } from '../../src/changes/targets/branch-provider';
import { createTestTarget, type TestTarget, withConnection } from './test-target';

/** Grants of every kind the copy must keep, a trusted extension, and default privileges to anon. */
const GRANTS = `
  DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN NOINHERIT; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN NOINHERIT; END IF;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END $$;
  CREATE EXTENSION IF NOT EXISTS pgcrypto;
  CREATE SCHEMA api;
  GRANT USAGE ON SCHEMA api TO anon, authenticated;
  CREATE TABLE api.accounts (id int PRIMARY KEY, email text, secret text);
  GRANT SELECT (id, email) ON api.accounts TO authenticated;
  CREATE FUNCTION api.whoami() RETURNS text LANGUAGE sql SECURITY DEFINER AS $$ SELECT current_user::text $$;
  REVOKE EXECUTE ON FUNCTION api.whoami() FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION api.whoami() TO authenticated;
  ALTER DEFAULT PRIVILEGES IN SCHEMA api GRANT SELECT, INSERT ON TABLES TO anon;
  CREATE POLICY "own account" ON api.accounts FOR SELECT TO authenticated USING (true);
  ALTER TABLE api.accounts ENABLE ROW LEVEL SECURITY;`;

let target: TestTarget;
let branch: Branch;

beforeAll(async () => {
  target = await createTestTarget({ schemaSql: GRANTS });
  branch = await target.provider.createBranch(target.newWorkflowId());
});

afterAll(async () => {
  await target.cleanup();
});

const PRIVILEGES_SQL = `
  SELECT has_column_privilege('authenticated', 'api.accounts', 'email', 'SELECT') AS email,
         has_column_privilege('authenticated', 'api.accounts', 'secret', 'SELECT') AS secret,
         has_function_privilege('authenticated', 'api.whoami()', 'EXECUTE') AS authenticated_exec,
         has_function_privilege('anon', 'api.whoami()', 'EXECUTE') AS anon_exec,
         (SELECT count(*)::int FROM pg_policy WHERE polname = 'own account') AS policies,
         (SELECT count(*)::int FROM pg_extension WHERE extname = 'pgcrypto') AS pgcrypto`;

test("a branch keeps production's column and function grants, its policies and its trusted extensions", async () => {
  const onProduction = await withConnection(target.url, (c) => c.query(PRIVILEGES_SQL));
  const onBranch = await withConnection(branch.databaseUrl, (c) => c.query(PRIVILEGES_SQL));

  expect(onBranch.rows[0]).toEqual(onProduction.rows[0]);
  expect(onBranch.rows[0]).toEqual({
    email: true,
    secret: false,
    authenticated_exec: true,
    anon_exec: false,
    policies: 1,
    pgcrypto: 1,
  });
});

test("a table a migration adds gets the grants production's default privileges would give it", async () => {
  await target.provider.runSql(branch, 'CREATE TABLE api.later (id int)', { readOnly: false });

  const { rows } = await withConnection(branch.databaseUrl, (c) =>
    c.query(
      `SELECT has_table_privilege('anon', 'api.later', 'INSERT') AS anon_insert, has_table_privilege('anon', 'api.later', ` +
        `'DELETE') AS anon_delete`,
    ),
  );
  expect(rows[0]).toEqual({ anon_insert: true, anon_delete: false });
});
