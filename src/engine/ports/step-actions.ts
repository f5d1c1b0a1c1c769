import type { CompensationData, CompensationKind, CompensationSpec } from '../../domain/compensations';
import type { Handoff } from '../../domain/handoff';
import type { Logger } from '../../logger';
import type { Check, Step, Workflow } from '../../domain/records';

/** What an engine action sees: the workflow, its step, the handoffs so far, and a way to register an undo. */
export interface StepActionContext {
  workflow: Workflow;
  step: Step;
  handoff?: Handoff;
  earlierHandoffs: Handoff[];
  logger: Logger;
  /** Registers how to undo a side effect, before doing it; the key makes repeats no-ops. */
  compensate(c: { key: string } & CompensationSpec): Promise<void>;
}

export interface StepActionResult {
  summary?: string;
  checks?: Check[];
}

/**
 * Deterministic work the engine does after an agent proposes (branch, apply, round trip, lint, audit…),
 * named in a workflow file's `actions`. Must be safe to run twice.
 */
export interface StepAction {
  name: string;
  run(ctx: StepActionContext): Promise<StepActionResult>;
}

/** Undoes one registered side effect when a person clicks Rollback. Must be safe to run twice. */
export type Compensator = {
  [K in CompensationKind]: {
    kind: K;
    run(data: CompensationData<K>, ctx: { workflow: Workflow; logger: Logger }): Promise<void>;
  };
}[CompensationKind];

export function registry<T extends { name?: string; kind?: string }>(items: T[]): Map<string, T> {
  return new Map(items.map((item) => [String(item.name ?? item.kind), item]));
}
