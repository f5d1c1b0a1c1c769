import { ActionFailedError } from '../../domain/errors';

/**
 * What a failed merge or revert left on the target: `none` (nothing of the migration is applied
 * and nothing is recorded) or `partial` (some statements ran and stay applied, the migration is not
 * recorded as merged, or is still recorded when a revert failed).
 */
export type TargetApplied = 'none' | 'partial';

/**
 * A merge or revert on the target that did not complete. `applied` says whether the target is
 * unchanged; `ranStatements` lists the 1-based statements that ran and stay applied (empty for
 * `none`); `failedStatement` is the one that failed, when one did. The message says the same for a person.
 */
export class TargetApplyError extends ActionFailedError {
  constructor(
    action: string,
    message: string,
    retryable: boolean,
    readonly applied: TargetApplied,
    readonly ranStatements: number[] = [],
    readonly failedStatement?: number,
  ) {
    super(action, message, retryable);
    this.name = 'TargetApplyError';
  }
}
