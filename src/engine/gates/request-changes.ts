import { attemptsExhausted } from '../../domain/attempts';
import { GATES } from '../../domain/gate-kinds';
import type { Gate, Workflow } from '../../domain/records';
import { inTransaction } from '../../store/db';
import { listEvents, recordEvent } from '../../store/events';
import { listGates, requestChangesOnGate } from '../../store/gates-repo';
import { getStep, startNextAttempt } from '../../store/steps-repo';
import { transitionWorkflow } from '../../store/workflows-repo';
import type { DecisionDeps } from '../deps';
import { drawGate } from './gate-in-step';

/** What a Request changes click led to. */
export type RequestChangesOutcome =
  | { type: 'changes_pending'; gate: Gate }
  | { type: 'refused'; reason: string }
  | { type: 'already'; gate: Gate };

/**
 * An approver clicked Request changes; the caller has authorised the click as for Reject. The click
 * is recorded and the reason asked for; the step runs again once the approver replies in the thread
 * ({@link noteChangesReason}). The gate stays open until then.
 */
export async function requestChanges(
  deps: DecisionDeps,
  gate: Gate,
  workflow: Workflow,
  user: string,
): Promise<RequestChangesOutcome> {
  if (gate.state !== 'open') return { type: 'already', gate };
  const exhausted = attemptsExhausted(gate, deps.maxStepAttempts);
  if (exhausted) {
    await recordEvent(deps.pool, workflow.id, 'gate_refused', user, {
      gate_id: gate.id,
      decision: 'request_changes',
      reason: exhausted,
    });
    return { type: 'refused', reason: exhausted };
  }
  await recordEvent(deps.pool, workflow.id, 'changes_requested', user, { gate_id: gate.id, kind: gate.kind });
  return { type: 'changes_pending', gate };
}

/**
 * A thread reply from an approver who clicked Request changes on the workflow's open gate: the reply is
 * the reason. In one transaction the gate is sent back, the step becomes pending for its next attempt
 * and the workflow runs again; the reason and what the attempt produced are recorded for the step's
 * next agent and for `/infra status`. False when the reply is not such a reason.
 */
export async function noteChangesReason(
  deps: DecisionDeps,
  workflow: Workflow,
  reply: { user: string; text: string },
): Promise<boolean> {
  if (workflow.state !== 'waiting_gate') return false;
  const gate = (await listGates(deps.pool, workflow.id)).find((g) => g.state === 'open');
  if (!gate) return false;
  const clicked = (await listEvents(deps.pool, workflow.id)).some(
    (e) => e.type === 'changes_requested' && e.actor === reply.user && e.data.gate_id === gate.id,
  );
  if (!clicked) return false;
  const step = (await getStep(deps.pool, gate.step_id))!;
  const reason = reply.text.trim().slice(0, 2000);
  const next = await inTransaction(deps.pool, async (tx) => {
    const decided = await requestChangesOnGate(tx, gate.id, reply.user, reason);
    if (!decided) return undefined;
    const moved = await startNextAttempt(tx, step);
    if (!moved) throw new Error(`step ${step.id} of gate ${gate.id} is ${step.state}, not succeeded`);
    await transitionWorkflow(tx, workflow.id, ['waiting_gate'], 'running', {
      type: 'workflow_resumed',
      actor: reply.user,
      data: { gate: gate.kind, changes_requested: true },
    });
    await recordEvent(tx, workflow.id, 'changes_reason', reply.user, {
      gate_id: gate.id,
      step_id: step.id,
      attempt: moved.attempt,
      reason,
      previous: {
        summary: step.summary,
        handoff: step.handoff,
        elapsed_ms: (step.finished_at?.getTime() ?? 0) - (step.started_at?.getTime() ?? 0),
      },
    });
    return { gate: decided, step: moved };
  });
  if (!next) return false;
  await deps.queue.enqueue({
    name: 'step',
    data: { workflowId: workflow.id, stepId: next.step.id, generation: next.step.generation },
  });
  try {
    await drawGate(deps, workflow, next.gate);
  } catch (error) {
    deps.logger.warn(
      { err: (error as Error).message, gate: gate.id },
      `changes requested on the ${GATES[gate.kind].title} gate; redrawing it failed`,
    );
  }
  return true;
}
