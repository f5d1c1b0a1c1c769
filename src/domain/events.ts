import type { GateState, StepState } from './states';

/**
 * Every event the bot records, by name. The events table is the workflow's history: the thread's
 * report, the metrics, the reconciler and the rollback read it back, so a name is written once here.
 */
export const EVENT_TYPES = [
  // The workflow's own transitions (workflows-repo, lifecycle).
  'workflow_requested',
  'workflow_planned',
  'workflow_started',
  'workflow_resumed',
  'workflow_waiting_gate',
  'workflow_waiting_reply',
  'workflow_succeeded',
  'workflow_failed',
  'workflow_rejected',
  'workflow_cancelled',
  'workflow_rolled_back',
  'waiting_for_target',
  'merge_refused',
  'merge_failed',
  /** Something the workflow could not do (no target to merge into): the report's Not done lists it. */
  'not_done',
  'cleaned_up',
  // Gates, besides their transitions (`gate_<state>`).
  'gate_opened',
  'gate_partially_approved',
  'gate_refused',
  'gate_overridden',
  'gate_override_requested',
  'gate_override_reason',
  'rejection_reason',
  // Request changes: the click, then the reason in the thread that starts the step's next attempt.
  'changes_requested',
  'changes_reason',
  // Questions and the thread.
  'question_asked',
  'question_answered',
  'question_reminded',
  'question_timed_out',
  'thread_comment',
  // Agents.
  'model_call',
  'failure_analysis',
  // The change pipeline.
  'branch_created',
  'branch_deleted',
  'attempt_discarded',
  'rls_baseline',
  /** Written before a round trip starts, so a run killed half-way through is known by the next one. */
  'migration_test_started',
  'migration_tested',
  'migration_test_failed',
  'migration_ignored',
  'backup_point',
  'migration_merged',
  'migration_reverted',
  'function_deployed',
  'function_deleted',
  'ci_pushed',
  'ci_discarded',
  // The repository (GITHUB_REPOSITORY): the merged migrations' pull request, and its undoing.
  'migration_pr_opened',
  'migration_pr_failed',
  'migration_pr_reverted',
  // Rollbacks.
  'rollback_refused',
  'rollback_completed',
  'rollback_incomplete',
] as const;

/** An event's type: one of {@link EVENT_TYPES}, or a step's or gate's transition (`step_running`, `gate_approved`). */
export type EventType = (typeof EVENT_TYPES)[number] | `step_${StepState}` | `gate_${GateState}`;
