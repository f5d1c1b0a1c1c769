import type { Check, CheckFlag } from './records';

/** Different approvers an Override of failed checks needs, each with a reason. */
export const OVERRIDES_NEEDED = 2;

/** Flags whose findings need a second, different approver. */
const SECOND_APPROVER_FLAGS: readonly CheckFlag[] = ['destructive', 'unanalysable'];

export interface GatePolicyInput {
  /** The gate's own checks (its step's actions and the gate's checks). */
  checks: Check[];
  /** Checks of the workflow's earlier steps; a gate that merges merges their changes too, so their flags count there. */
  earlierChecks?: Check[];
  /** True for the gate whose approval merges to production. */
  merges: boolean;
}

/** What a gate's findings mean for who must decide it, and how. */
export interface GatePolicy {
  /** 2 when a destructive or unanalysable finding is in the change, else 1. */
  approvalsNeeded: 1 | 2;
  /** The findings that call for the second approver. */
  secondApprover: Check[];
  /** Failed checks about the change: Approve is refused; two approvers may Override, each with a reason. */
  blocking: Check[];
  /** Warnings about the change: shown, and acknowledged by the approval. */
  warnings: Check[];
  /** Findings about objects the change does not touch (already on production): shown apart, never block. */
  existing: Check[];
}

/**
 * The gate policy, from the findings' status, flags and `existing` mark — never from a check's name:
 * - a `destructive` or `unanalysable` flag on any check of the gate (and, at the merge gate, of any
 *   earlier step) needs two different approvers;
 * - a failed check blocks Approve, unless it is `existing`;
 * - a warning is acknowledged by the approval;
 * - `existing` findings change nothing but where they are shown.
 */
export function gatePolicy(input: GatePolicyInput): GatePolicy {
  const about = (checks: Check[]) => checks.filter((c) => !c.existing);
  const own = about(input.checks);
  const change = input.merges ? [...own, ...about(input.earlierChecks ?? [])] : own;
  const secondApprover = change.filter(needsSecondApprover);
  return {
    approvalsNeeded: secondApprover.length ? 2 : 1,
    secondApprover,
    blocking: own.filter((c) => c.status === 'fail'),
    warnings: own.filter((c) => c.status === 'warn'),
    existing: input.checks.filter((c) => c.existing),
  };
}

/** True when the finding is destructive or unanalysable (and about the change). */
export function needsSecondApprover(check: Check): boolean {
  return !check.existing && (check.flags ?? []).some((f) => SECOND_APPROVER_FLAGS.includes(f));
}

/**
 * At the merge gate: one warning naming the earlier steps' findings that need a second approver, with
 * their flags, so the gate shows why it needs two. Undefined when there are none.
 */
export function earlierFindingsCheck(earlierChecks: Check[]): Check | undefined {
  const found = earlierChecks.filter(needsSecondApprover);
  if (!found.length) return undefined;
  const flags = [...new Set(found.flatMap((c) => c.flags ?? []).filter((f) => SECOND_APPROVER_FLAGS.includes(f)))];
  return {
    name: 'Earlier steps: needs a second approver',
    status: 'warn',
    detail: found
      .map((c) => `${c.name} (${(c.flags ?? []).filter((f) => SECOND_APPROVER_FLAGS.includes(f)).join(', ')})`)
      .join('; '),
    flags,
  };
}
