import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Client } from 'pg';
import { auditRls } from '../../src/changes/checks/rls-audit';
import type { Branch } from '../../src/changes/targets/branch-provider';
import { branchServerUrl, createTestTarget, type TestTarget, withConnection } from './test-target';

/** A table anon may write on production, granted as Supabase projects grant it. */
const ANON_WRITABLE = `
  DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN NOINHERIT; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN NOINHERIT; END IF;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END $$;
  CREATE TABLE public.guestbook (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL);
  GRANT USAGE ON SCHEMA public TO anon, authenticated;
  GRANT SELECT, INSERT, UPDATE, DELETE ON public.guestbook TO anon;
  GRANT SELECT ON public.guestbook TO authenticated;`;

let target: TestTarget;
let branch: Branch;

beforeAll(async () => {
  target = await createTestTarget({ schemaSql: ANON_WRITABLE });
  branch = await target.provider.createBranch(target.newWorkflowId());
});

afterAll(async () => {
  await target.cleanup();
});

/** Runs `sql` as the branch's migration role (as the round trip applies up_sql), bypassing any SQL policy. */
function asMigration(sql: string): Promise<unknown> {
  return target.provider.runSql(branch, sql, { readOnly: false, timeoutMs: 10_000 });
}

describe('the role migrations run as on a branch', () => {
  const marker = join(tmpdir(), `infra-attack-${randomBytes(4).toString('hex')}`);
  const attacks: Array<[string, string]> = [
    ['runs no program on the server', `COPY (select 1) TO PROGRAM 'touch ${marker}'`],
    ['reads no server file', `select pg_read_binary_file('global/pg_control')`],
    ['reads no password hash', 'select * from pg_authid'],
    ['creates no superuser', 'CREATE ROLE evil SUPERUSER'],
    ['creates no role at all', 'CREATE ROLE evil'],
    ['makes no replication slot', `select pg_create_physical_replication_slot('infra_attack')`],
  ];

  test.each(attacks)('%s', async (_what, sql) => {
    await expect(asMigration(sql)).rejects.toThrow(
      /permission denied|must be superuser|must be a member|only superusers|must have/i,
    );
    expect(existsSync(marker)).toBe(false);
  });

  test('cannot change the settings of the production database', async () => {
    await expect(asMigration(`ALTER DATABASE ${target.name} SET default_transaction_read_only = on`)).rejects.toThrow(
      /permission denied|must be owner|does not exist/,
    );
    const { rows } = await withConnection(target.url, (c) => c.query('SHOW default_transaction_read_only'));
    expect(rows[0].default_transaction_read_only).toBe('off');
  });

  test("terminates no other session's backend, on the branch server or on production", async () => {
    const bystanders = [
      new Client({ connectionString: target.url }),
      new Client({ connectionString: branchServerUrl() }),
    ];
    for (const c of bystanders) await c.connect();
    try {
      await expect(
        asMigration('select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid()'),
      ).rejects.toThrow(/permission denied|must be a member|must be a superuser/);
      for (const c of bystanders)
        await expect(c.query('select 1 as alive')).resolves.toMatchObject({ rows: [{ alive: 1 }] });
    } finally {
      for (const c of bystanders) await c.end();
    }
  });

  test('holds none of the dangerous attributes or predefined roles', async () => {
    const { rows } = await withConnection(branch.databaseUrl, (c) =>
      c.query(`select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls,
                      (select array_agg(r) from unnest(array['pg_read_server_files','pg_write_server_files',
                                           'pg_execute_server_program','pg_signal_backend']) r
                        where pg_has_role(current_user, r, 'MEMBER')) as dangerous,
                      current_user = (select pg_get_userbyid(datdba) from pg_database where datname = current_database()) as owns_branch
               from pg_roles where rolname = current_user`),
    );
    expect(rows[0]).toEqual({
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolreplication: false,
      rolbypassrls: false,
      dangerous: null,
      owns_branch: true,
    });
  });
});

describe('the role read-only SQL runs as on a branch', () => {
  test('refuses writes and new tables, even outside the read-only transaction', async () => {
    await expect(
      target.provider.runSql(branch, "insert into public.guestbook (body) values ('x')", { readOnly: true }),
    ).rejects.toThrow(/read-only|permission denied/);
    await expect(
      target.provider.runSql(branch, 'create table public.sneaky (id int)', { readOnly: true }),
    ).rejects.toThrow(/read-only|permission denied/);
    await expect(
      target.provider.runSql(
        branch,
        "select set_config('default_transaction_read_only', 'off', false), (select count(*) from public.guestbook)",
        { readOnly: true },
      ),
    ).resolves.toBeDefined();
    await expect(
      target.provider.runSql(
        branch,
        'select current_user as who, current_setting($$default_transaction_read_only$$) as ro',
        { readOnly: true },
      ),
    ).resolves.toMatchObject({ rows: [{ ro: 'on' }] });
  });

  test('reads tables a migration creates later', async () => {
    await asMigration('create table public.later (id int primary key); insert into public.later values (1)');
    await expect(
      target.provider.runSql(branch, 'select count(*)::int as n from public.later', { readOnly: true }),
    ).resolves.toMatchObject({ rows: [{ n: 1 }] });
  });
});

describe('grants on a branch', () => {
  test('a table anon may write on production is reported writable by anon on the branch', async () => {
    const client = new Client({ connectionString: branch.databaseUrl });
    await client.connect();
    try {
      const audit = await auditRls(client, { tables: ['public.guestbook'] });
      expect(audit.probes.find((p) => p.role === 'anon')).toMatchObject({
        insert: 'allowed',
        select: expect.stringMatching(/^allowed/),
      });
      expect(audit.probes.find((p) => p.role === 'authenticated')).toMatchObject({
        insert: expect.stringMatching(/^denied/),
        select: expect.stringMatching(/^allowed/),
      });
    } finally {
      await client.end();
    }
  });
});

describe('branches on the production server, as INFRA_ALLOW_SHARED_BRANCH_SERVER=true allows', () => {
  let shared: TestTarget;
  let onProduction: Branch;

  beforeAll(async () => {
    shared = await createTestTarget({
      schemaSql: ANON_WRITABLE,
      provider: { branchServerUrl: undefined, allowSharedServer: true },
    });
    onProduction = await shared.provider.createBranch(shared.newWorkflowId());
  });

  afterAll(async () => {
    await shared.cleanup();
  });

  test(
    'keep their least-privilege roles: the migration role cannot touch the production ' +
      'database, run programs or make roles',
    async () => {
      const run = (sql: string) => shared.provider.runSql(onProduction, sql, { readOnly: false, timeoutMs: 10_000 });

      expect(new URL(onProduction.databaseUrl).port).toBe(new URL(shared.url).port || '5432');
      await expect(run(`ALTER DATABASE ${shared.name} SET default_transaction_read_only = on`)).rejects.toThrow(
        /must be owner/,
      );
      await expect(run(`COPY (select 1) TO PROGRAM 'true'`)).rejects.toThrow(
        /permission denied|must be superuser|must be a member/,
      );
      await expect(run('CREATE ROLE evil SUPERUSER')).rejects.toThrow(/must be superuser/);
      await expect(run('CREATE ROLE evil')).rejects.toThrow(/permission denied/);
      await expect(run('select count(*) from pg_authid')).rejects.toThrow(/permission denied/);
      const { rows } = await withConnection(shared.url, (c) => c.query('SHOW default_transaction_read_only'));
      expect(rows[0].default_transaction_read_only).toBe('off');
    },
  );
});
