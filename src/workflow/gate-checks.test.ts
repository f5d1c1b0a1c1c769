import type { Handoff } from '../agents/handoff';
import { gateChecks } from './gate-checks';

const base: Handoff = { summary: 's', context: 'c', artifacts: [], next_steps: [], constraints: [] };
const input = (handoff: Handoff, earlier: Handoff[] = []) => ({ handoff, earlierHandoffs: earlier, steps: [], gates: [], stepId: 1 });
const statusOf = (checks: Array<{ name: string; status: string }>, name: string) => checks.find((c) => c.name === name)?.status;

describe('gate checks', () => {
  it('passes the API review only when a TypeScript interface or type is among the artifacts', () => {
    const withTypes = { ...base, artifacts: [{ path: 'a.ts', kind: 'typescript' as const, content: 'export interface A { id: string }' }], next_steps: ['x'] };
    expect(statusOf(gateChecks('api_review', input(withTypes)), 'Types defined')).toBe('pass');
    expect(statusOf(gateChecks('api_review', input(base)), 'Types defined')).toBe('fail');
  });

  it('fails the branch test without rollback SQL and warns about destructive statements', () => {
    const noDown = { ...base, migration: { name: 'm', up_sql: 'create table t (id int);', down_sql: 'create table t (id int);' } };
    expect(statusOf(gateChecks('branch_test', input(noDown)), 'Rollback SQL ready')).toBe('fail');
    const destructive = { ...base, migration: { name: 'm', up_sql: 'alter table t drop column c;', down_sql: 'alter table t add column c int;' } };
    expect(statusOf(gateChecks('branch_test', input(destructive)), 'Destructive statements')).toBe('warn');
    expect(statusOf(gateChecks('branch_test', input(base)), 'Migration proposed')).toBe('fail');
  });

  it('fails the security audit for a new table without RLS and for an always-true write policy', () => {
    const noRls = { ...base, migration: { name: 'm', up_sql: 'create table public.notes (id int);', down_sql: 'drop table public.notes;' } };
    expect(gateChecks('security', input(base, [noRls]))).toContainEqual({ name: 'RLS on new tables', status: 'fail', detail: 'no RLS on notes' });
    const open = {
      ...base,
      migration: {
        name: 'm',
        up_sql: 'create table notes (id int); alter table notes enable row level security; create policy anyone on notes for insert with check (true);',
        down_sql: 'drop table notes;',
      },
    };
    const checks = gateChecks('security', input(base, [open]));
    expect(statusOf(checks, 'RLS on new tables')).toBe('pass');
    expect(checks).toContainEqual({ name: 'No always-true write policy', status: 'fail', detail: 'policy anyone lets anyone write' });
  });

  it('warns when RLS is enabled but no policy lets anyone in', () => {
    const locked = { ...base, migration: { name: 'm', up_sql: 'create table notes (id int); alter table notes enable row level security;', down_sql: 'drop table notes;' } };
    expect(statusOf(gateChecks('security', input(locked)), 'Policies on RLS tables')).toBe('warn');
  });
});
