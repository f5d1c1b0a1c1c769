import type { GateKind } from '../../domain/gate-kinds';
import type { Handoff } from '../../domain/handoff';
import type { Check, EventRow, Gate, ShownMigration, Step, Workflow } from '../../domain/records';

export interface GateCheckInput {
  handoff?: Handoff;
  earlierHandoffs: Handoff[];
  steps: Step[];
  gates: Gate[];
  stepId: number;
}

/** How a finish job's merge ended; the engine ends the workflow accordingly. */
export type MergeOutcome =
  | { kind: 'merged' }
  /** Nothing was merged: what the gate showed does not match what would be merged. */
  | { kind: 'refused'; error: string }
  /** The merge stopped part-way or before it started; `error` says what stayed on production. */
  | { kind: 'failed'; error: string };

/**
 * The change-safety pipeline as the engine sees it (implemented in src/changes): the deterministic
 * checks at the gates, what the merge gate shows, the production merge, and the clean-up of branches.
 * Everything that reaches a database or GitHub is behind this port.
 */
export interface ChangePipeline {
  /** Deterministic checks of what the agents proposed, shown at the step's gate. */
  gateChecks(kind: GateKind, input: GateCheckInput): Check[];
  /**
   * The merge gate's contents: the migrations it will merge (each pinned by the hash of its branch
   * test), and checks saying whether each passed that test and which migrations will not be merged.
   */
  mergeGateContents(input: { workflow: Workflow; steps: Step[]; events: EventRow[]; step: Step; own: Check[] }): {
    checks: Check[];
    migrations: ShownMigration[];
  };
  /**
   * The finish job's merge of what the approved merge gate showed. `say` posts a notice in the thread
   * once per key. Throws a retryable error only when `lastAttempt` is false.
   */
  merge(
    workflow: Workflow,
    opts: { lastAttempt: boolean; say(key: string, text: string): Promise<void> },
  ): Promise<MergeOutcome>;
  /**
   * Before a step's next attempt (Request changes): undoes what the previous attempt left on the
   * workflow's branch. Returns what was done, in words, or undefined when there was nothing to undo.
   */
  discardAttempt(input: {
    workflow: Workflow;
    step: Step;
    previous?: Handoff;
    earlier: Handoff[];
  }): Promise<string | undefined>;
  /** After a workflow ended: its branch and its CI branch go, unless a rollback removes them itself. */
  cleanUp(workflow: Workflow): Promise<void>;
  /** Deletes branches whose workflow is gone or has ended (its own clean-up died with its process). */
  sweepOrphanBranches(): Promise<void>;
}
