import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { auditBaseline, auditRls, rlsChecks, type RlsAuditResult } from '../../src/changes/checks/rls-audit';
import { ActionFailedError } from '../../src/domain/errors';
import { createSupabaseTestDatabase } from './supabase-test-database';

const OWNER_ONLY_TODOS = `
  create table public.todos (
    id bigint generated always as identity primary key,
    user_id uuid not null default auth.uid(),
    title text not null
  );
  alter table public.todos enable row level security;
  create policy "read own" on public.todos for select to authenticated using ((select auth.uid()) = user_id);
  create policy "insert own" on public.todos for insert to authenticated with check ((select auth.uid()) = user_id);
  create policy "update own" on public.todos for update to authenticated using ((select auth.uid()) = user_id)
    with check ((select auth.uid()) = user_id);
  create policy "delete own" on public.todos for delete to authenticated using ((select auth.uid()) = user_id);
  insert into public.todos (user_id, title) values ('${randomUUID()}', 'someone else''s'), ('${randomUUID()}', 'another one');
`;

function rules(result: RlsAuditResult): string[] {
  return result.findings.map((f) => f.rule);
}

describe('auditRls', () => {
  let db: { pool: Pool; drop: () => Promise<void> };

  beforeEach(async () => {
    db = await createSupabaseTestDatabase();
  });

  afterEach(async () => {
    await db.drop();
  });

  it('flags a public table without RLS as rls_disabled_in_public, and anon can read and write it', async () => {
    await db.pool.query(`create table public.notes (id bigint generated always as identity primary key, body text not null);
                         insert into public.notes (body) values ('hello')`);

    const result = await auditRls(db.pool, { tables: ['public.notes'] });

    expect(result.findings).toEqual([
      expect.objectContaining({ rule: 'rls_disabled_in_public', level: 'error', table: 'public.notes' }),
    ]);
    const anon = result.probes.find((p) => p.role === 'anon');
    expect(anon).toMatchObject({
      select: 'allowed (1 row visible of 1)',
      insert: 'allowed',
      update: 'allowed (1 of 1 row)',
      delete: 'allowed (1 of 1 row)',
    });
    const checks = rlsChecks(result);
    expect(checks).toContainEqual(
      expect.objectContaining({ name: 'RLS: RLS disabled on an exposed table', status: 'fail' }),
    );
    expect(checks).toContainEqual({
      name: 'RLS probe: anon',
      status: 'fail',
      detail:
        'anon can read 1 row (public.notes), can insert into public.notes, update public.notes, delete from public.notes',
    });
  });

  it(
    'marks findings already on production (in the baseline, about untouched objects) as existing, shown apart and never ' +
      'failing',
    async () => {
      await db.pool.query(`create table public.legacy (id int); create table public.reused (id int)`);
      const baseline = await auditBaseline(db.pool);
      await db.pool.query(
        'create table public.fresh (id int); create view public.fresh_names as select id from public.fresh; alter table ' +
          'public.reused add column note text',
      );

      const result = await auditRls(db.pool, { tables: ['public.fresh', 'public.reused'], baseline });

      const existing = result.findings.filter((f) => f.existing).map((f) => f.object);
      const new_ = result.findings.filter((f) => !f.existing).map((f) => f.object);
      expect(existing).toEqual(['public.legacy']);
      // A pre-existing problem on a table the change touches, and a new view the change does not list as a table, are the change's.
      expect(new_.sort()).toEqual(['public.fresh', 'public.fresh_names', 'public.reused']);
      const checks = rlsChecks(result);
      expect(checks).toContainEqual(
        expect.objectContaining({
          name: 'RLS: RLS disabled on an exposed table',
          status: 'fail',
          detail: expect.not.stringContaining('legacy'),
        }),
      );
      expect(checks).toContainEqual(
        expect.objectContaining({
          name: 'RLS, already on production: RLS disabled on an exposed table',
          status: 'fail',
          existing: true,
          detail: expect.stringContaining('public.legacy'),
        }),
      );
    },
  );

  it("counts every finding as the change's without a baseline", async () => {
    await db.pool.query(`create table public.legacy (id int)`);
    const result = await auditRls(db.pool, { tables: [] });
    expect(result.findings.map((f) => f.existing)).toEqual([undefined]);
  });

  it('flags an insert policy whose check is always true, and anon can then insert', async () => {
    await db.pool.query(`create table public.feedback (id bigint generated always as identity primary key, body text not null);
                         alter table public.feedback enable row level security;
                         create policy "anyone can insert" on public.feedback for insert with check (true)`);

    const result = await auditRls(db.pool, { tables: ['public.feedback'] });

    expect(rules(result)).toEqual(['rls_policy_always_true']);
    expect(result.findings[0]!.detail).toContain(
      '"anyone can insert" (INSERT) on public.feedback is with check (true)',
    );
    expect(result.probes.find((p) => p.role === 'anon')!.insert).toBe('allowed');
  });

  it('warns about a table with RLS but no policy, which nobody but its owner can use', async () => {
    await db.pool.query(`create table public.secrets (id bigint primary key, value text);
                         alter table public.secrets enable row level security`);

    const result = await auditRls(db.pool, { tables: ['public.secrets'] });

    expect(result.findings).toEqual([
      expect.objectContaining({ rule: 'rls_enabled_no_policy', level: 'warning', table: 'public.secrets' }),
    ]);
    expect(result.probes.find((p) => p.role === 'anon')!.insert).toMatch(
      /^denied \(new row violates row-level security policy/,
    );
    expect(rlsChecks(result)[0]).toMatchObject({ name: 'RLS: RLS enabled without any policy', status: 'warn' });
  });

  it('flags a policy on a table whose RLS is off', async () => {
    await db.pool.query(`create table public.posts (id bigint primary key, author uuid);
                         create policy "own posts" on public.posts for select using (author = auth.uid())`);

    const result = await auditRls(db.pool, { tables: ['public.posts'] });

    expect(rules(result).sort()).toEqual(['policy_exists_rls_disabled', 'rls_disabled_in_public']);
  });

  it('flags a view that runs with its owner’s rights, and accepts one with security_invoker', async () => {
    await db.pool.query(`create table public.items (id bigint primary key, name text);
                         alter table public.items enable row level security;
                         create policy "read" on public.items for select using (true);
                         create view public.item_names as select name from public.items;
                         create view public.item_ids with (security_invoker = on) as select id from public.items`);

    const result = await auditRls(db.pool, { tables: [] });

    expect(result.findings).toEqual([
      expect.objectContaining({ rule: 'security_definer_view', level: 'error', table: 'public.item_names' }),
    ]);
    expect(result.probes).toEqual([]);
  });

  it('flags functions without a fixed search_path: an error when SECURITY DEFINER, a warning otherwise', async () => {
    await db.pool.query(`create schema private;
                         create function public.add_one(n int) returns int language sql as 'select n + 1';
                         create function private.is_admin() returns boolean language sql security definer as 'select true';
                         create function public.safe() returns int language sql set search_path = '' as 'select 1'`);

    const result = await auditRls(db.pool, { tables: [] });

    expect(result.findings.map((f) => [f.rule, f.level, f.detail.split(' has ')[0]])).toEqual([
      ['function_search_path_mutable', 'error', 'SECURITY DEFINER function private.is_admin()'],
      ['function_search_path_mutable', 'warning', 'function public.add_one(n integer)'],
    ]);
  });

  it('flags a view over auth.users as auth_users_exposed', async () => {
    await db.pool.query(
      `create view public.user_emails with (security_invoker = on) as select id, email from auth.users`,
    );

    const result = await auditRls(db.pool, { tables: [] });

    expect(result.findings).toEqual([
      expect.objectContaining({ rule: 'auth_users_exposed', level: 'error', table: 'public.user_emails' }),
    ]);
  });

  it(
    'finds nothing on an owner-only table: anon reads 0 rows and cannot write; a user inserts its own row but not someone ' +
      'else’s',
    async () => {
      await db.pool.query(OWNER_ONLY_TODOS);

      const result = await auditRls(db.pool, { tables: ['public.todos'] });

      expect(result.findings).toEqual([]);
      const anon = result.probes.find((p) => p.role === 'anon')!;
      expect(anon.select).toBe('allowed (0 rows visible of 2)');
      expect(anon.insert).toMatch(/^denied \(new row violates row-level security policy for table "todos"\)$/);
      expect(anon.update).toBe('denied (RLS: 0 of 2 rows could be changed)');
      expect(anon.delete).toBe('denied (RLS: 0 of 2 rows could be changed)');
      const user = result.probes.find((p) => p.role === 'authenticated')!;
      expect(user.select).toBe('allowed (0 rows visible of 2)');
      expect(user.insert).toMatch(
        /^allowed for its own row; denied for another user's row \(new row violates row-level security policy/,
      );
      expect(rlsChecks(result)).toEqual([
        { name: 'RLS: no findings', status: 'pass' },
        { name: 'RLS probe: anon', status: 'pass', detail: 'anon can read 0 rows, cannot write' },
        {
          name: 'RLS probe: authenticated',
          status: 'pass',
          detail:
            'authenticated (a new user) can read 0 rows of other users, can insert its own rows (public.todos), cannot write ' +
            "other users' rows",
        },
      ]);
    },
  );

  it('adds a row of another user to an empty table so an always-true update policy shows, then removes it', async () => {
    await db.pool.query(`create table public.profiles (id bigint generated always as identity primary key, user_id uuid not null, bio text);
                         alter table public.profiles enable row level security;
                         create policy "read all" on public.profiles for select using (true);
                         create policy "anyone updates" on public.profiles for update using (true)`);

    const result = await auditRls(db.pool, { tables: ['public.profiles'] });

    expect(rules(result)).toEqual(['rls_policy_always_true']);
    const anon = result.probes.find((p) => p.role === 'anon')!;
    expect(anon.update).toBe('allowed (1 of 1 row; the probe added 1 row of another user)');
    expect(anon.delete).toBe('denied (RLS: 0 of 1 row could be changed; the probe added 1 row of another user)');
    expect(rlsChecks(result)).toContainEqual(
      expect.objectContaining({
        name: 'RLS probe: anon',
        status: 'fail',
        detail: expect.stringContaining('can update public.profiles'),
      }),
    );
    expect((await db.pool.query('select 1 from public.profiles')).rowCount).toBe(0);
  });

  it('leaves every row as it was after probing, on a client as well as a pool', async () => {
    await db.pool.query(OWNER_ONLY_TODOS);
    const client = await db.pool.connect();
    try {
      await auditRls(client, { tables: ['public.todos', 'todos'] });
      const { rows } = await client.query<{ n: number; role: string }>(
        'select count(*)::int as n, current_user as role from public.todos',
      );
      expect(rows[0]).toMatchObject({ n: 2 });
      expect(rows[0]!.role).not.toMatch(/^(anon|authenticated)$/);
    } finally {
      client.release();
    }
  });

  it('reports the probes as not available when the roles do not exist, and creates none', async () => {
    await db.pool.query(OWNER_ONLY_TODOS);

    const result = await auditRls(db.pool, { tables: ['public.todos'], roles: ['infra_missing_anon'] });

    expect(result.probes).toEqual([
      {
        table: 'public.todos',
        role: 'infra_missing_anon',
        select: 'not available (no Supabase roles)',
        insert: 'not available (no Supabase roles)',
        update: 'not available (no Supabase roles)',
        delete: 'not available (no Supabase roles)',
      },
    ]);
    expect((await db.pool.query(`select 1 from pg_roles where rolname = 'infra_missing_anon'`)).rowCount).toBe(0);
    expect(rlsChecks(result).at(-1)).toEqual({
      name: 'RLS probes',
      status: 'warn',
      detail: 'not available (no Supabase roles): only the catalog checks ran',
    });
  });

  it('reports a touched table that does not exist as not tested, and refuses a name that is not a table', async () => {
    const result = await auditRls(db.pool, { tables: ['public.gone'] });

    expect(result.probes.map((p) => p.select)).toEqual([
      'not tested (the table does not exist)',
      'not tested (the table does not exist)',
    ]);
    await expect(auditRls(db.pool, { tables: ['public.todos; drop table x'] })).rejects.toThrow(ActionFailedError);
  });
});
