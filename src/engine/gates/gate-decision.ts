import { NotAllowedError } from '../../domain/errors';
import { inTransaction } from '../../store/db';
import { recordEvent } from '../../store/events';
import { addPartialApproval, decideGate, getGate } from '../../store/gates-repo';
import type { Gate, Workflow } from '../../domain/records';
import { inWorkflowSpan } from '../workflow-span';
import { getStep } from '../../store/steps-repo';
import { getWorkflow, transitionWorkflow } from '../../store/workflows-repo';
import { advancePast } from '../advance';
import { gateDecisionRefusal } from '../../domain/approval-policy';
import { clickRefusal, type ClickOrigin } from './click-origin';
import type { DecisionDeps } from '../deps';
import { GATES } from '../../domain/gate-kinds';
import { requestOverride } from './gate-override';
import { requestChanges } from './request-changes';
import { drawGate } from './gate-in-step';
import { OVERRIDES_NEEDED, gatePolicy } from '../../domain/gate-policy';
import { CLEANUP_BY_JOB } from '../clean-up';
import { endWorkflow } from '../lifecycle';

export type GateDecision = 'approve' | 'reject' | 'rollback' | 'override' | 'request_changes';

export type DecisionOutcome =
  | { type: 'decided'; gate: Gate }
  | { type: 'refused'; reason: string }
  | { type: 'already'; gate: Gate }
  | { type: 'partial'; gate: Gate }
  | { type: 'override_pending'; gate: Gate }
  | { type: 'changes_pending'; gate: Gate };

const TO = { approve: 'approved', reject: 'rejected', rollback: 'rolled_back' } as const;

/**
 * A click on a gate button: bound to the gate's own message, authorised, then one conditional UPDATE
 * decides — a double click or two approvers give exactly one transition. The gate message is redrawn
 * with who decided and when.
 */
export async function decideAtGate(
  deps: DecisionDeps,
  input: { gateId: number; decision: GateDecision; user: string; click: ClickOrigin },
): Promise<DecisionOutcome> {
  const gate = await getGate(deps.pool, input.gateId);
  const workflow = gate && (await getWorkflow(deps.pool, gate.workflow_id));
  if (!gate || !workflow) return { type: 'refused', reason: 'This gate no longer exists.' };
  return inWorkflowSpan(workflow, `gate ${input.decision}`, () => decide(deps, gate, workflow, input));
}

async function decide(
  deps: DecisionDeps,
  gate: Gate,
  workflow: Workflow,
  input: { gateId: number; decision: GateDecision; user: string; click: ClickOrigin },
): Promise<DecisionOutcome> {
  const refusal =
    (await clickRefusal(deps.pool, `gate:${gate.id}`, input.click, 'gate')) ??
    authorise(deps, gate, workflow.requester, input);
  if (refusal) {
    await recordEvent(deps.pool, workflow.id, 'gate_refused', input.user, {
      gate_id: gate.id,
      decision: input.decision,
      reason: refusal.message,
    });
    return { type: 'refused', reason: refusal.message };
  }
  if (input.decision === 'override') return requestOverride(deps, gate, workflow, input.user);
  if (input.decision === 'request_changes') return requestChanges(deps, gate, workflow, input.user);
  const blocking = gatePolicy({ checks: gate.checks, merges: gate.merges }).blocking;
  if (input.decision === 'approve' && gate.state === 'open' && blocking.length) {
    const reason =
      `Approve is refused: ${blocking.length} check(s) failed: ${blocking.map((c) => c.name).join(', ')}. ` +
      `Fix the cause and start again, or ${OVERRIDES_NEEDED} different approvers click Override, each ` +
      `giving a reason in the thread.`;
    await recordEvent(deps.pool, workflow.id, 'gate_refused', input.user, {
      gate_id: gate.id,
      decision: input.decision,
      reason,
      checks: blocking.map((c) => c.name),
    });
    return { type: 'refused', reason };
  }
  const decision = input.decision;
  // An approval acknowledges the gate's warnings; the event says which.
  const acknowledged =
    decision === 'approve'
      ? { acknowledged_warnings: gatePolicy({ checks: gate.checks, merges: gate.merges }).warnings.map((c) => c.name) }
      : {};

  const decided = await inTransaction(deps.pool, async (tx) => {
    if (decision === 'approve') {
      const partial = await addPartialApproval(tx, gate.id, input.user, acknowledged);
      if (partial) return { partial };
    }
    const row = await decideGate(tx, gate.id, TO[decision], input.user, acknowledged);
    if (!row) return undefined;
    if (input.decision === 'approve') {
      const moved = await transitionWorkflow(tx, workflow.id, ['waiting_gate'], 'running', {
        type: 'workflow_resumed',
        actor: input.user,
        data: { gate: gate.kind },
      });
      if (!moved)
        throw new NotAllowedError(
          `Workflow #${workflow.id} is ${workflow.state.replace('_', ' ')}; the gate can no longer be approved.`,
        );
    }
    return row;
  }).catch((error) => {
    if (error instanceof NotAllowedError) return error;
    throw error;
  });
  if (decided instanceof NotAllowedError) return { type: 'refused', reason: decided.message };
  if (!decided) {
    const now = (await getGate(deps.pool, gate.id))!;
    if (now.state === 'open' && now.approvals.includes(input.user)) {
      return {
        type: 'refused',
        reason:
          `You have already approved this gate; it needs ${now.approvals_needed} approvals from different ` +
          `people. Ask another approver.`,
      };
    }
    return { type: 'already', gate: now };
  }
  if ('partial' in decided) {
    try {
      await drawGate(deps, workflow, decided.partial);
    } catch (error) {
      deps.logger.warn(
        { err: (error as Error).message, gate: gate.id },
        'partial approval recorded; redrawing the gate failed',
      );
    }
    return { type: 'partial', gate: decided.partial };
  }

  const thread = { channel: workflow.channel_id, threadTs: workflow.root_ts! };
  // The decision is committed. Each follow-up is independent, and the reconciler repeats the state
  // work if this process fails here, so an error below is logged, never reported as a failed decision.
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (error) {
      deps.logger.warn({ err: (error as Error).message, gate: gate.id }, `gate decided; ${what} failed`);
    }
  };
  if (input.decision === 'approve') {
    await attempt('moving on', async () =>
      advancePast(deps, workflow.id, (await getStep(deps.pool, gate.step_id))!.idx),
    );
  } else if (input.decision === 'reject') {
    await attempt('ending the workflow', () =>
      endWorkflow(
        deps,
        workflow.id,
        'rejected',
        { type: 'workflow_rejected', actor: input.user, data: { cleanup: CLEANUP_BY_JOB } },
        { from: ['waiting_gate'] },
      ),
    );
  } else {
    await attempt('starting the rollback', async () => {
      await endWorkflow(
        deps,
        workflow.id,
        'rolled_back',
        { type: 'workflow_rolled_back', actor: input.user },
        { from: ['waiting_gate'], keepTarget: true },
      );
      await deps.queue.enqueue({ name: 'rollback', data: { workflowId: workflow.id, actor: input.user } });
    });
  }
  await attempt('redrawing the gate', () => drawGate(deps, workflow, decided));
  if (input.decision === 'reject') {
    await attempt('reporting the rejection', async () => {
      await deps.slack.post(
        `wf:${workflow.id}:rejected`,
        thread,
        deps.views.noticeMessage(
          `:no_entry: <@${input.user}> rejected the *${GATES[gate.kind].title}* gate. Nothing was merged. ` +
            `<@${input.user}>, please reply in this thread with the reason, so the requester knows what to change.`,
        ),
      );
      // The report, the branch and the next waiting workflow are the clean-up job's (a worker's).
      await deps.queue.enqueue({ name: 'clean-up', data: { workflowId: workflow.id } });
    });
  }
  return { type: 'decided', gate: decided };
}

/** Who may take this decision is the approval policy's to say. */
function authorise(
  deps: DecisionDeps,
  gate: Gate,
  requester: string,
  input: { decision: GateDecision; user: string },
): NotAllowedError | undefined {
  const refusal = gateDecisionRefusal(
    deps.policy,
    { merges: gate.merges, requester },
    input.decision === 'approve',
    input.user,
  );
  return refusal === undefined ? undefined : new NotAllowedError(refusal);
}
