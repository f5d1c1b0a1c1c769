import { findKind, stepKinds } from './step-kind';

describe('stepKinds', () => {
  it('runs an agent, then its actions, then its gate, whatever order the definition lists them in', () => {
    const kinds = stepKinds({ gate: 'branch_test', actions: ['branch-test'], agent: 'data-migration-specialist' });

    expect(kinds).toEqual([
      { kind: 'agent', agent: 'data-migration-specialist' },
      { kind: 'actions', names: ['branch-test'] },
      { kind: 'gate', gate: 'branch_test' },
    ]);
  });

  it('leaves out the agent of a step the engine runs alone', () => {
    expect(stepKinds({ actions: ['smoke-test'], gate: 'smoke_test' })).toEqual([
      { kind: 'actions', names: ['smoke-test'] },
      { kind: 'gate', gate: 'smoke_test' },
    ]);
  });

  it('gives a step with only an agent just its turn, so the step moves on after the handoff', () => {
    expect(stepKinds({ agent: 'devops-engineer', actions: [] })).toEqual([{ kind: 'agent', agent: 'devops-engineer' }]);
  });

  it('gives a step with no agent, actions or gate no work at all', () => {
    expect(stepKinds({ actions: [] })).toEqual([]);
  });
});

describe('findKind', () => {
  it('finds the work of one kind, or nothing when the step does not do that kind', () => {
    const kinds = stepKinds({ agent: 'api-designer', actions: [], gate: 'api_review' });

    expect(findKind(kinds, 'gate')?.gate).toBe('api_review');
    expect(findKind(kinds, 'actions')).toBeUndefined();
  });
});
