import type { EventRow, ShownMigration, Step } from '../../domain/records';
import type { ChangeTarget } from '../targets/change-target';
import { mergePlanCheck, mergedRiskCheck } from './merge-plan';

const migration: ShownMigration = {
  step_id: 2,
  step_title: 'Write and test the migration',
  name: 'create_notes',
  up_sql: 'create table public.notes (id int);',
  down_sql: 'drop table public.notes;',
  sha256: 'a'.repeat(64),
  test: 'passed',
};

function step(artifacts: Array<{ path: string; kind: string; content: string }>): Step {
  return {
    id: 3,
    workflow_id: 1,
    idx: 2,
    key: 'backend',
    agent: 'backend-engineer',
    title: 'Implement',
    state: 'succeeded',
    run: 1,
    attempt: 1,
    generation: 1,
    failures: 0,
    conversation: null,
    handoff: { summary: 's', context: 'c', artifacts },
    checks: [],
    usage: null,
    summary: null,
    error: null,
    started_at: null,
    finished_at: null,
  };
}

const pushed: EventRow = {
  id: 9,
  workflow_id: 1,
  type: 'ci_pushed',
  actor: null,
  data: { pull_request: 12, url: 'https://github.com/acme/app/pull/12', branch: 'infra-wf-1' },
  created_at: new Date(),
};

const postgres = { description: 'the Postgres database db:5432/app' } as ChangeTarget;
const supabase = { description: 'Supabase project abcd', functions: {} } as ChangeTarget;

describe('what approving the merge gate does', () => {
  it('names each migration and the target it goes into', () => {
    const plan = mergePlanCheck({ target: postgres, migrations: [migration], steps: [], events: [] });
    expect(plan).toMatchObject({
      merge_plan: true,
      status: 'pass',
      detail: 'merges 1 migration(s) into the Postgres database db:5432/app, after taking a backup point',
      items: [expect.stringMatching(/^Migration create_notes \(from Write and test the migration\): its up SQL/)],
    });
  });

  it('names the Edge Functions deployed and the pull request it leaves to merge on GitHub', () => {
    const fn = step([
      { path: 'supabase/functions/hello/index.ts', kind: 'typescript', content: 'Deno.serve(() => 1)' },
    ]);
    const plan = mergePlanCheck({ target: supabase, migrations: [], steps: [fn], events: [pushed] });
    expect(plan.detail).toBe('deploys 1 Edge Function(s) to Supabase project abcd, after taking a backup point');
    expect(plan.items).toEqual([
      'Edge Function hello is deployed to Supabase project abcd',
      'Pull request #12 (https://github.com/acme/app/pull/12) is not merged by this gate: merge it on GitHub, where your ' +
        'branch protection applies',
    ]);
  });

  it('says plainly that nothing will be merged, and why', () => {
    expect(mergePlanCheck({ migrations: [migration], steps: [], events: [] }).detail).toBe(
      'nothing will be merged — no target is configured (TARGET_DATABASE_URL or SUPABASE_PROJECT_REF); the approved ' +
        'SQL stays in this thread',
    );
    expect(mergePlanCheck({ target: postgres, migrations: [], steps: [], events: [] }).detail).toBe(
      'nothing will be merged — this workflow proposed no migration and no Edge Function',
    );
    expect(
      mergePlanCheck({ target: postgres, migrations: [{ ...migration, test: 'failed' }], steps: [], events: [] })
        .detail,
    ).toBe(
      'nothing will be merged — create_notes has not passed the branch test on this exact text, so the merge is refused',
    );
  });

  it('carries the highest risk the Branch Test gave the migrations it merges, with each one’s reasons', () => {
    const rated = (id: number, level: 'low' | 'high', detail: string): Step => ({
      ...step([]),
      id,
      checks: [{ name: `Risk: ${level}`, status: 'pass', risk: level, detail }],
    });
    const two = [migration, { ...migration, step_id: 5, name: 'drop_old' }];
    expect(mergedRiskCheck(two, [rated(2, 'low', 'additive only'), rated(5, 'high', 'destructive — DROP')])).toEqual({
      name: 'Risk: high',
      status: 'pass',
      risk: 'high',
      detail: 'create_notes (low): additive only · drop_old (high): destructive — DROP',
    });
    expect(mergedRiskCheck([migration], [step([])])).toBeUndefined();
  });
});
