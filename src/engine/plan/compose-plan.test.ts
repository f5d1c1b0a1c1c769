import { join } from 'node:path';
import { composePlan } from './compose-plan';
import { loadWorkflowLibrary } from './definitions-loader';

const library = loadWorkflowLibrary(join(__dirname, '../../../workflows'));

describe('plans from the workflow files', () => {
  it('has the orchestrator patterns with their step counts', () => {
    expect(composePlan(library, ['schema']).steps.map((s) => s.agent ?? s.title)).toEqual([
      'api-designer',
      'data-migration-specialist',
      'backend-engineer',
      'devops-engineer',
      'Validation',
    ]);
    expect(composePlan(library, ['api']).steps).toHaveLength(3);
    expect(composePlan(library, ['cicd']).steps.map((s) => [s.key, s.gate])).toEqual([
      ['devops', 'ci_review'],
      ['ci-run', undefined],
      ['preview-db', undefined],
      ['validation', 'smoke_test'],
    ]);
    expect(composePlan(library, ['edge_function']).steps.map((s) => s.agent)).toEqual([
      'api-designer',
      'backend-engineer',
      'devops-engineer',
    ]);
    expect(composePlan(library, ['query_rls']).lead).toBe('backend-engineer');
  });

  it('composes a mixed request in the coordinated order, merging shared steps and keeping one merge gate, last', () => {
    const plan = composePlan(library, ['schema', 'api']);
    expect(plan.name).toBe('mixed');
    expect(plan.title).toBe('Mixed change: Database schema change + New API endpoint');
    expect(plan.steps.map((s) => s.key)).toEqual([
      'api-design',
      'migration',
      'backend',
      'devops',
      'deploy',
      'validation',
    ]);
    expect(plan.steps.filter((s) => s.gate === 'smoke_test').map((s) => s.key)).toEqual(['validation']);
    expect(plan.steps.find((s) => s.key === 'api-design')!.tasks).toEqual(
      expect.arrayContaining(['Design TypeScript interfaces', 'Design endpoint contract']),
    );
  });

  it(
    'puts the CI push of a mixed request right after the devops step, which keeps the CI Review gate; a ' +
      'schema change alone pushes nothing',
    () => {
      const plan = composePlan(library, ['schema', 'cicd']);
      expect(plan.steps.map((s) => s.key)).toEqual([
        'api-design',
        'migration',
        'backend',
        'preview-db',
        'devops',
        'ci-run',
        'validation',
      ]);
      expect(plan.steps.find((s) => s.key === 'devops')).toMatchObject({ gate: 'ci_review', actions: ['ci-review'] });
      const schema = composePlan(library, ['schema']);
      expect(schema.steps.flatMap((s) => s.actions)).not.toContain('ci-run');
      expect(schema.steps.map((s) => s.gate)).not.toContain('ci_review');
    },
  );
});

describe('composing plans', () => {
  it('leaves the workflow library unchanged, so a mixed plan cannot alter later plans', () => {
    const fresh = loadWorkflowLibrary(join(__dirname, '../../../workflows'));
    composePlan(fresh, ['api', 'schema']);
    expect(composePlan(fresh, ['api']).steps.map((s) => s.gate)).toEqual(['api_review', 'security', 'smoke_test']);
  });
});
