import {
  ACTIVE_WORKFLOW_STATES,
  allows,
  FINAL_WORKFLOW_STATES,
  forbiddenSources,
  GATE_TRANSITIONS,
  sourcesOf,
  STEP_TRANSITIONS,
  type StepState,
  WORKFLOW_TRANSITIONS,
  type WorkflowState,
} from './states';

/** Every move the engine makes today, as its call sites write it: the table must allow each of them. */
const ENGINE_WORKFLOW_MOVES: Array<[readonly WorkflowState[], WorkflowState]> = [
  [['planned'], 'running'], // plan-workflow: the plan is posted
  [['waiting_gate'], 'running'], // gate-decision, gate-override: a gate approved
  [['running'], 'waiting_reply'], // run-step: an agent asked a question
  [['running'], 'waiting_gate'], // run-step: a step with a gate finished
  [['waiting_reply'], 'running'], // replies: the question answered
  [['succeeded', 'failed'], 'rolled_back'], // rollback-production: after a merge
  [ACTIVE_WORKFLOW_STATES, 'failed'], // run-step, plan-workflow: endWorkflow's default expected states
  [ACTIVE_WORKFLOW_STATES, 'cancelled'], // cancel
  [['waiting_gate'], 'rejected'], // gate-decision
  [['waiting_gate'], 'rolled_back'], // gate-decision
  [['running'], 'succeeded'], // finish-workflow
  [['running'], 'failed'], // finish-workflow: merge refused or failed
  [['waiting_reply'], 'failed'], // question-timeouts
];

const ENGINE_STEP_MOVES: Array<[readonly StepState[], StepState]> = [
  [['pending', 'running'], 'running'], // run-step: a run starts, or a dead worker's run is taken over
  [['running'], 'waiting_reply'],
  [['running'], 'succeeded'],
  [['running'], 'pending'], // a retry
  [['running'], 'failed'],
  [['waiting_reply'], 'pending'], // replies
  [['succeeded'], 'pending'], // request-changes: the gate sent back, the step's next attempt
  [['pending', 'running', 'waiting_reply'], 'cancelled'], // the workflow ended
];

describe('the workflow transition table', () => {
  it.each(ENGINE_WORKFLOW_MOVES)('allows every move the engine makes: %j to %s', (from, to) => {
    expect(forbiddenSources(WORKFLOW_TRANSITIONS, from, to)).toEqual([]);
  });

  it('lets every active workflow fail or be cancelled', () => {
    for (const state of ACTIVE_WORKFLOW_STATES) {
      expect(allows(WORKFLOW_TRANSITIONS, state, 'failed')).toBe(true);
      expect(allows(WORKFLOW_TRANSITIONS, state, 'cancelled')).toBe(true);
    }
  });

  it('lets a finished workflow only be rolled back, and only after it succeeded or failed', () => {
    for (const state of FINAL_WORKFLOW_STATES)
      expect(WORKFLOW_TRANSITIONS[state]).toEqual(state === 'succeeded' || state === 'failed' ? ['rolled_back'] : []);
  });

  it('refuses to start a workflow again or resume one that ended', () => {
    expect(forbiddenSources(WORKFLOW_TRANSITIONS, ['succeeded', 'waiting_gate', 'cancelled'], 'running')).toEqual([
      'succeeded',
      'cancelled',
    ]);
    expect(allows(WORKFLOW_TRANSITIONS, 'planned', 'waiting_gate')).toBe(false);
  });

  it('names the states a workflow reaches running from', () => {
    expect(sourcesOf(WORKFLOW_TRANSITIONS, 'running')).toEqual(['planned', 'waiting_gate', 'waiting_reply']);
  });
});

describe('the step transition table', () => {
  it.each(ENGINE_STEP_MOVES)('allows every move the engine makes: %j to %s', (from, to) => {
    expect(forbiddenSources(STEP_TRANSITIONS, from, to)).toEqual([]);
  });

  it('cancels exactly the unfinished steps', () => {
    expect(sourcesOf(STEP_TRANSITIONS, 'cancelled')).toEqual(['pending', 'running', 'waiting_reply']);
  });

  it('never moves a finished step again, except a succeeded one sent back for another attempt', () => {
    for (const state of ['failed', 'skipped', 'cancelled'] as const) expect(STEP_TRANSITIONS[state]).toEqual([]);
    expect(STEP_TRANSITIONS.succeeded).toEqual(['pending']);
  });

  it('refuses to answer a step that is not waiting for a reply', () => {
    expect(allows(STEP_TRANSITIONS, 'pending', 'waiting_reply')).toBe(false);
    expect(allows(STEP_TRANSITIONS, 'waiting_reply', 'running')).toBe(false);
  });
});

describe('the gate transition table', () => {
  it('decides an open gate once, to any decision', () => {
    expect(GATE_TRANSITIONS.open).toEqual(['approved', 'rejected', 'rolled_back', 'expired', 'changes_requested']);
    for (const decision of ['approved', 'rejected', 'rolled_back', 'expired', 'changes_requested'] as const)
      expect(sourcesOf(GATE_TRANSITIONS, decision)).toEqual(['open']);
  });

  it('never reopens or re-decides a gate', () => {
    expect(sourcesOf(GATE_TRANSITIONS, 'open')).toEqual([]);
    for (const state of ['approved', 'rejected', 'rolled_back', 'expired', 'changes_requested'] as const)
      expect(GATE_TRANSITIONS[state]).toEqual([]);
  });
});
