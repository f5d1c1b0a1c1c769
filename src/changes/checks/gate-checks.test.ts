import type { Handoff } from '../../domain/handoff';
import { loadSqlParser } from '../sql/sql-parser';
import { gateChecks } from './gate-checks';

const base: Handoff = { summary: 's', context: 'c', artifacts: [], next_steps: [], constraints: [] };
const input = (handoff: Handoff, earlier: Handoff[] = []) => ({
  handoff,
  earlierHandoffs: earlier,
  steps: [],
  gates: [],
  stepId: 1,
});
const statusOf = (checks: Array<{ name: string; status: string }>, name: string) =>
  checks.find((c) => c.name === name)?.status;

beforeAll(async () => {
  await loadSqlParser();
});

describe('gate checks', () => {
  it('passes the API review only when a TypeScript interface or type is among the artifacts', () => {
    const withTypes = {
      ...base,
      artifacts: [{ path: 'a.ts', kind: 'typescript' as const, content: 'export interface A { id: string }' }],
      next_steps: ['x'],
    };
    expect(statusOf(gateChecks('api_review', input(withTypes)), 'Types defined')).toBe('pass');
    expect(statusOf(gateChecks('api_review', input(base)), 'Types defined')).toBe('fail');
  });

  it('fails the branch test without rollback SQL and warns about destructive statements', () => {
    const noDown = {
      ...base,
      migration: { name: 'm', up_sql: 'create table t (id int);', down_sql: 'create table t (id int);' },
    };
    expect(statusOf(gateChecks('branch_test', input(noDown)), 'Rollback SQL ready')).toBe('fail');
    const destructive = {
      ...base,
      migration: { name: 'm', up_sql: 'alter table t drop column c;', down_sql: 'alter table t add column c int;' },
    };
    expect(statusOf(gateChecks('branch_test', input(destructive)), 'Destructive statements')).toBe('warn');
    expect(statusOf(gateChecks('branch_test', input(base)), 'Migration proposed')).toBe('fail');
  });

  it('fails the security audit for a new table without RLS and for an always-true write policy', () => {
    const noRls = {
      ...base,
      migration: { name: 'm', up_sql: 'create table public.notes (id int);', down_sql: 'drop table public.notes;' },
    };
    expect(gateChecks('security', input(base, [noRls]))).toContainEqual({
      name: 'RLS on new tables',
      status: 'fail',
      detail: 'no RLS on notes',
      items: ['notes — fix: `alter table public.notes enable row level security` and add policies'],
    });
    const open = {
      ...base,
      migration: {
        name: 'm',
        up_sql:
          'create table notes (id int); alter table notes enable row level security; create policy anyone on ' +
          'notes for insert with check (true);',
        down_sql: 'drop table notes;',
      },
    };
    const checks = gateChecks('security', input(base, [open]));
    expect(statusOf(checks, 'RLS on new tables')).toBe('pass');
    expect(checks).toContainEqual({
      name: 'No always-true write policy',
      status: 'fail',
      detail: 'policy anyone lets anyone write',
      items: ["policy anyone — fix: restrict its using / with check to the row's owner, e.g. `auth.uid() = user_id`"],
    });
  });

  it('warns when RLS is enabled but no policy lets anyone in', () => {
    const locked = {
      ...base,
      migration: {
        name: 'm',
        up_sql: 'create table notes (id int); alter table notes enable row level security;',
        down_sql: 'drop table notes;',
      },
    };
    expect(statusOf(gateChecks('security', input(locked)), 'Policies on RLS tables')).toBe('warn');
  });

  it('counts statements with the parser and flags a destructive statement the old regex let through', () => {
    const sneaky = {
      ...base,
      migration: {
        name: 'm',
        up_sql: "insert into t values ('a;b');\nalter table t rename to t_old;",
        down_sql: 'alter table t_old rename to t;',
      },
    };
    const checks = gateChecks('branch_test', input(sneaky));
    expect(checks).toContainEqual({ name: 'Migration proposed', status: 'pass', detail: 'm: 2 statement(s)' });
    expect(checks.find((c) => c.name === 'Destructive statements')).toMatchObject({
      status: 'warn',
      flags: ['destructive'],
    });
  });

  it('fails the branch test on a forbidden statement and on SQL that does not parse', () => {
    const commit = {
      ...base,
      migration: {
        name: 'm',
        up_sql: 'create table a (id int); commit; create table b (id int);',
        down_sql: 'drop table b; drop table a;',
      },
    };
    expect(statusOf(gateChecks('branch_test', input(commit)), 'Forbidden statements')).toBe('fail');
    const broken = { ...base, migration: { name: 'm', up_sql: 'create tabel a (id int);', down_sql: 'drop table a;' } };
    expect(gateChecks('branch_test', input(broken))).toContainEqual({
      name: 'SQL parses',
      status: 'fail',
      detail: 'up_sql: syntax error at or near "tabel" (at line 1, column 8)',
    });
  });

  it('reads RLS in any spelling: quoted names, ONLY, a policy without FOR, a cast true', () => {
    const sql =
      'create table "public"."Notes" (id int); alter table only public."Notes" enable row level security; ' +
      'create policy "open" on "Notes" using (true::boolean);';
    const checks = gateChecks(
      'security',
      input({ ...base, migration: { name: 'm', up_sql: sql, down_sql: 'drop table "Notes";' } }),
    );
    expect(checks).toContainEqual({ name: 'RLS on new tables', status: 'pass', detail: 'enabled on Notes' });
    expect(checks).toContainEqual({
      name: 'No always-true write policy',
      status: 'fail',
      detail: 'policy open lets anyone write',
      items: ["policy open — fix: restrict its using / with check to the row's owner, e.g. `auth.uid() = user_id`"],
    });
  });

  it('does not count a create table inside a comment or a string as a new table', () => {
    const sql = "-- create table ghost (id int);\ninsert into log values ('create table ghost2 (id int)');";
    expect(
      gateChecks(
        'security',
        input({ ...base, migration: { name: 'm', up_sql: sql, down_sql: 'delete from log where id = 1;' } }),
      ),
    ).toEqual([{ name: 'RLS on new tables', status: 'pass', detail: 'the proposed SQL creates no tables' }]);
  });

  it('carries the flags of the step migration to the security gate', () => {
    const step = { ...base, migration: { name: 'm', up_sql: 'do $$ begin null; end $$;', down_sql: 'select 1;' } };
    expect(gateChecks('security', input(step)).find((c) => c.flags?.includes('unanalysable'))).toMatchObject({
      status: 'warn',
    });
  });
});
