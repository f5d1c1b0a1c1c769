/** Action ids of the gate buttons; the button's value is the gate id. */
export const ActionIds = {
  approve: 'gate_approve',
  reject: 'gate_reject',
  rollback: 'gate_rollback',
  /** The step runs again with the approver's reason (given in the thread); its gate reopens on the new result. */
  requestChanges: 'gate_request_changes',
  /** Shown when a failed check blocks Approve: two different approvers override, each with a reason. */
  override: 'gate_override',
  /** On the report of a workflow that merged: undo the merge on production. */
  rollbackProduction: 'workflow_rollback_production',
} as const;

export const GATE_ACTION_PATTERN = /^gate_(approve|reject|rollback|override|request_changes)$/;
