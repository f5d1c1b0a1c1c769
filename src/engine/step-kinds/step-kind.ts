import type { GateKind } from '../../domain/gate-kinds';
import type { StepDefinition } from '../../domain/plan';

/**
 * One kind of work a step does. A workflow step may combine several (the migration step has an agent,
 * a branch test and a gate), so a step is a list of kinds, each run by its file in this folder.
 */
export type StepKind =
  /** An agent's turn (agent.ts): it hands off, or asks in the thread and the step waits. */
  | { kind: 'agent'; agent: string }
  /** The engine's deterministic actions (actions.ts), after the agent's handoff when there is one. */
  | { kind: 'actions'; names: string[] }
  /** A gate (gate.ts): the step ends waiting for approval instead of moving on. */
  | { kind: 'gate'; gate: GateKind };

/**
 * The kinds of work a step does, in the order they run: agent, then actions, then gate. The one place
 * that reads the definition's `agent`, `actions` and `gate` to decide what runs, so a new kind is one
 * more variant here and one more case where the step job dispatches.
 */
export function stepKinds(def: Pick<StepDefinition, 'agent' | 'actions' | 'gate'>): StepKind[] {
  const kinds: StepKind[] = [];
  if (def.agent) kinds.push({ kind: 'agent', agent: def.agent });
  if (def.actions.length) kinds.push({ kind: 'actions', names: def.actions });
  if (def.gate) kinds.push({ kind: 'gate', gate: def.gate });
  return kinds;
}

/** The step's work of one kind, if it does that kind. */
export function findKind<K extends StepKind['kind']>(
  kinds: readonly StepKind[],
  kind: K,
): Extract<StepKind, { kind: K }> | undefined {
  return kinds.find((k): k is Extract<StepKind, { kind: K }> => k.kind === kind);
}
