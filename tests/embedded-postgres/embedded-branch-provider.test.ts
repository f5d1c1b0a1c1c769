import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { runRoundTrip } from '../../src/changes/checks/round-trip';
import type { ChangeTarget } from '../../src/changes/targets/change-target';
import { embeddedChangeTarget } from '../../dev/embedded-postgres/embedded-branch-provider';
import { EmbeddedPostgres } from '../../dev/embedded-postgres/embedded-postgres';
import { createLogger } from '../../src/logger';

const preferences = {
  name: 'create_user_preferences',
  up_sql: `CREATE TABLE public.user_preferences (user_id uuid PRIMARY KEY REFERENCES auth.users (id), theme text NOT NULL DEFAULT 'light');
    ALTER TABLE public.user_preferences ENABLE ROW LEVEL SECURITY;`,
  down_sql: 'DROP TABLE public.user_preferences;',
};

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('branches on the embedded Postgres', () => {
  let server: EmbeddedPostgres;
  let target: ChangeTarget;
  let backupDir: string;

  beforeAll(async () => {
    server = await EmbeddedPostgres.start();
    await server.createDatabase('target');
    await query(
      server.url('target'),
      `create role anon nologin; create schema auth; create table auth.users (id uuid primary key, email text);
       insert into auth.users values ('00000000-0000-0000-0000-000000000001', 'ada@example.com');
       create table public.counters (id serial primary key, n int not null); insert into public.counters (n) values (7);`,
    );
    backupDir = await mkdtemp(join(tmpdir(), 'embedded-backups-'));
    target = embeddedChangeTarget({ server, target: 'target', backupDir, logger: createLogger('silent') });
  });

  afterAll(async () => {
    await server?.stop();
    await rm(backupDir, { recursive: true, force: true });
  });

  it("creates a workflow's branch with the target's schema and roles and none of its data, once however often it is asked", async () => {
    const [branch, again] = await Promise.all([target.provider.createBranch(41), target.provider.createBranch(41)]);
    expect(again).toEqual(branch);
    expect(branch).toMatchObject({ id: 'infra_wf_41', name: 'infra-wf-41', workflowId: 41, ready: true });
    expect(
      await query(
        branch.databaseUrl,
        'select (select count(*)::int from auth.users) as users, (select count(*)::int from public.counters) as counters',
      ),
    ).toEqual([{ users: 0, counters: 0 }]);
    expect(await query(branch.databaseUrl, "select count(*)::int as n from pg_roles where rolname = 'anon'")).toEqual([
      { n: 1 },
    ]);
    expect(await query(branch.databaseUrl, 'insert into public.counters (n) values (1) returning id')).toEqual([
      { id: 1 },
    ]);
    expect(await target.provider.listBranches()).toEqual([branch]);
  });

  it('runs the migration round trip on the branch and leaves the target untouched', async () => {
    const branch = await target.provider.createBranch(42);
    const result = await runRoundTrip(target.provider, branch, preferences);
    expect(result.stages.map((s) => [s.name, s.ok, s.error])).toEqual([
      ['up', true, undefined],
      ['down', true, undefined],
      ['compare', true, undefined],
      ['up-again', true, undefined],
    ]);
    expect(result.residue).toEqual([]);
    expect(
      await query(branch.databaseUrl, "select to_regclass('public.user_preferences') is not null as found"),
    ).toEqual([{ found: true }]);
    expect(
      await query(server.url('target'), "select to_regclass('public.user_preferences') is not null as found"),
    ).toEqual([{ found: false }]);
  });

  it('runs agent SQL on its own branches only', async () => {
    const branch = await target.provider.createBranch(43);
    expect(
      (await target.provider.runSql(branch, 'select count(*)::int as n from auth.users', { readOnly: true })).rows,
    ).toEqual([{ n: 0 }]);
    await expect(
      target.provider.runSql({ ...branch, id: 'target' }, 'drop table public.counters', { readOnly: false }),
    ).rejects.toThrow('SQL from agents runs on branches only');
  });

  it('deletes a branch and its database, and deleting it again is not an error', async () => {
    const branch = await target.provider.createBranch(44);
    await target.provider.deleteBranch(44);
    await target.provider.deleteBranch(44);
    expect(await target.provider.getBranch(44)).toBeUndefined();
    expect(server.hasDatabase(branch.id)).toBe(false);
  });

  it('merges into the target with its history, reverts it, and takes a backup point that PGlite opens again', async () => {
    const merged = await target.merge(45, preferences);
    expect(merged).toEqual({ version: expect.stringMatching(/^\d{14}$/), applied: true });
    expect(await target.history()).toEqual([{ version: merged.version, name: preferences.name }]);
    expect(await target.merge(45, preferences)).toEqual({ version: merged.version, applied: false });

    const backup = await target.backupPoint();
    expect(backup).toMatch(/backup-\d{8}T\d{9}Z\.tar\.gz$/);
    const restored = await PGlite.create({ loadDataDir: new Blob([await readFile(backup)]) });
    try {
      expect((await restored.query("select to_regclass('public.user_preferences') is not null as found")).rows).toEqual(
        [{ found: true }],
      );
    } finally {
      await restored.close();
    }

    await target.revert(45, preferences);
    expect(await target.history()).toEqual([]);
    expect(
      await query(server.url('target'), "select to_regclass('public.user_preferences') is not null as found"),
    ).toEqual([{ found: false }]);
  });
});
