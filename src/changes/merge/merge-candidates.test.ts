import { join } from 'node:path';
import { migrationHash } from '../sql/migration-hash';
import type { EventRow, Step } from '../../domain/records';
import { composePlan } from '../../engine/plan/compose-plan';
import { loadWorkflowLibrary } from '../../engine/plan/definitions-loader';
import { mergeCandidates, pinProblem } from './merge-candidates';

const plan = composePlan(loadWorkflowLibrary(join(__dirname, '../../../workflows')), ['schema']);
const tested = {
  name: 'create_notes',
  up_sql: 'create table public.notes (id int);',
  down_sql: 'drop table public.notes;',
};
const smuggled = {
  name: 'smuggled',
  up_sql: 'create table public.smuggled (id int);',
  down_sql: 'drop table public.smuggled;',
};

function step(idx: number, migration?: object): Step {
  const def = plan.steps[idx]!;
  return {
    id: 100 + idx,
    workflow_id: 1,
    idx,
    key: def.key,
    agent: def.agent ?? null,
    title: def.title,
    state: 'succeeded',
    run: 1,
    attempt: 1,
    generation: 1,
    failures: 0,
    conversation: null,
    handoff: { summary: 's', context: 'c', ...(migration ? { migration } : {}) },
    checks: [],
    usage: null,
    summary: null,
    error: null,
    started_at: null,
    finished_at: null,
  };
}

function test(type: 'migration_tested' | 'migration_test_failed', stepId: number, migration: typeof tested): EventRow {
  return {
    id: 1,
    workflow_id: 1,
    type,
    actor: null,
    data: { step_id: stepId, sha256: migrationHash(migration) },
    created_at: new Date(),
  };
}

describe('the migrations a workflow would merge', () => {
  it('takes the migration of a step that tests it, marked passed when its last test passed on this exact text', () => {
    const { migrations, ignored } = mergeCandidates(
      plan,
      [step(0), step(1, tested)],
      [test('migration_tested', 101, tested)],
    );
    expect(migrations).toEqual([
      expect.objectContaining({ step_id: 101, name: 'create_notes', test: 'passed', sha256: migrationHash(tested) }),
    ]);
    expect(ignored).toEqual([]);
    expect(pinProblem(migrations[0]!, migrations)).toBeUndefined();
  });

  it('ignores a migration found in the handoff of a step that may not carry one (devops), whatever its tests say', () => {
    const { migrations, ignored } = mergeCandidates(
      plan,
      [step(1, tested), step(3, smuggled)],
      [test('migration_tested', 101, tested), test('migration_tested', 103, smuggled)],
    );
    expect(migrations.map((m) => m.name)).toEqual(['create_notes']);
    expect(ignored).toEqual([{ stepTitle: plan.steps[3]!.title, name: 'smuggled' }]);
  });

  it('refuses a text that differs from the tested one, one whose last test failed, and one the gate did not show', () => {
    const changed = { ...tested, up_sql: `${tested.up_sql}\ncreate table public.smuggled (id int);` };
    const [differs] = mergeCandidates(plan, [step(1, changed)], [test('migration_tested', 101, tested)]).migrations;
    expect(pinProblem(differs!, [differs!])).toBe(
      '`create_notes` (Write and test the migration) is not the text that passed the branch test',
    );
    const [failedLast] = mergeCandidates(
      plan,
      [step(1, tested)],
      [test('migration_tested', 101, tested), test('migration_test_failed', 101, tested)],
    ).migrations;
    expect(pinProblem(failedLast!, [failedLast!])).toMatch(/its last test failed/);
    const [passed] = mergeCandidates(plan, [step(1, tested)], [test('migration_tested', 101, tested)]).migrations;
    expect(pinProblem(passed!, [{ ...passed!, sha256: 'other' }])).toBe(
      '`create_notes` (Write and test the migration) is not the text the merge gate showed the approvers',
    );
    expect(pinProblem(passed!, [])).toMatch(/not the text the merge gate showed/);
  });
});
