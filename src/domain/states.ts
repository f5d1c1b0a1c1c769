import { z } from 'zod';

/**
 * The states of a workflow, a step and a gate, and the one table per entity of the moves between
 * them. The repositories refuse a move the table does not list; the call sites say which of the
 * allowed moves they make.
 */

export const ACTIVE_WORKFLOW_STATES = ['planned', 'running', 'waiting_gate', 'waiting_reply'] as const;
export const FINAL_WORKFLOW_STATES = ['succeeded', 'failed', 'rejected', 'cancelled', 'rolled_back'] as const;
export const workflowStateSchema = z.enum([...ACTIVE_WORKFLOW_STATES, ...FINAL_WORKFLOW_STATES]);
export type WorkflowState = z.infer<typeof workflowStateSchema>;

export const stepStateSchema = z.enum([
  'pending',
  'running',
  'waiting_reply',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
]);
export type StepState = z.infer<typeof stepStateSchema>;

export const gateStateSchema = z.enum(['open', 'approved', 'rejected', 'rolled_back', 'expired', 'changes_requested']);
export type GateState = z.infer<typeof gateStateSchema>;

/** For each state, the states it may move to. */
export type TransitionTable<S extends string> = { readonly [from in S]: readonly S[] };

/**
 * Any active workflow may fail or be cancelled. It starts once planned, waits at a gate or for a reply
 * while running and resumes from either; a gate ends it rejected or rolled back; it succeeds from
 * running. A merged workflow that succeeded or failed afterwards may still be rolled back.
 */
export const WORKFLOW_TRANSITIONS: TransitionTable<WorkflowState> = {
  planned: ['running', 'failed', 'cancelled'],
  running: ['waiting_gate', 'waiting_reply', 'succeeded', 'failed', 'cancelled'],
  waiting_gate: ['running', 'rejected', 'rolled_back', 'failed', 'cancelled'],
  waiting_reply: ['running', 'failed', 'cancelled'],
  succeeded: ['rolled_back'],
  failed: ['rolled_back'],
  rejected: [],
  cancelled: [],
  rolled_back: [],
};

/**
 * A step runs from pending, and again from running when a job is taken over after a worker died; a
 * run ends succeeded, failed, waiting for a reply, or pending again for a retry; a reply makes it
 * pending; the end of its workflow cancels it. A succeeded step whose gate an approver sent back with
 * Request changes is pending again, for its next attempt. Nothing moves a step to `skipped` yet.
 */
export const STEP_TRANSITIONS: TransitionTable<StepState> = {
  pending: ['running', 'cancelled'],
  running: ['running', 'waiting_reply', 'succeeded', 'pending', 'failed', 'cancelled'],
  waiting_reply: ['pending', 'cancelled'],
  succeeded: ['pending'],
  failed: [],
  skipped: [],
  cancelled: [],
};

/**
 * A gate is decided once: from open to approved, rejected, rolled back or sent back with Request
 * changes (its step's next attempt opens a new gate), or expired when its workflow stops.
 */
export const GATE_TRANSITIONS: TransitionTable<GateState> = {
  open: ['approved', 'rejected', 'rolled_back', 'expired', 'changes_requested'],
  approved: [],
  rejected: [],
  rolled_back: [],
  expired: [],
  changes_requested: [],
};

/** True when the table lets `from` move to `to`. */
export function allows<S extends string>(table: TransitionTable<S>, from: S, to: S): boolean {
  return table[from].includes(to);
}

/** The states the table lets move to `to`, in the table's order. */
export function sourcesOf<S extends string>(table: TransitionTable<S>, to: S): S[] {
  return (Object.keys(table) as S[]).filter((from) => allows(table, from, to));
}

/** The expected states of a move that the table does not allow from; empty when every one is allowed. */
export function forbiddenSources<S extends string>(table: TransitionTable<S>, from: readonly S[], to: S): S[] {
  return from.filter((state) => !allows(table, state, to));
}
