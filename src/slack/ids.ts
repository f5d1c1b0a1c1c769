/** Action ids of the gate buttons; the button's value is the gate id. */
export const ActionIds = {
  approve: 'gate_approve',
  reject: 'gate_reject',
  rollback: 'gate_rollback',
} as const;

export type GateAction = keyof typeof ActionIds;

export const GATE_ACTION_PATTERN = /^gate_(approve|reject|rollback)$/;
