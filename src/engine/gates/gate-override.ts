import { NotAllowedError } from '../../domain/errors';
import { inTransaction } from '../../store/db';
import { recordEvent } from '../../store/events';
import { addOverride, approveByOverride, getGate, listGates, setOverrideReason } from '../../store/gates-repo';
import type { Gate, Workflow } from '../../domain/records';
import { getStep } from '../../store/steps-repo';
import { transitionWorkflow } from '../../store/workflows-repo';
import { advancePast } from '../advance';
import type { DecisionDeps } from '../deps';
import { GATES } from '../../domain/gate-kinds';
import { OVERRIDES_NEEDED, gatePolicy } from '../../domain/gate-policy';
import { drawGate } from './gate-in-step';

/** What an Override click led to. */
export type OverrideOutcome =
  | { type: 'override_pending'; gate: Gate }
  | { type: 'refused'; reason: string }
  | { type: 'already'; gate: Gate };

/** The names of a gate's blocking checks, for events and messages. */
function blockingNames(gate: Gate): string[] {
  return gatePolicy({ checks: gate.checks, merges: gate.merges }).blocking.map((c) => c.name);
}

/**
 * An approver clicked Override (after Slack's confirm dialog) on a gate whose failed checks block
 * Approve; the caller has authorised the click as for any gate decision. The Override is recorded and
 * its reason asked in the thread; the gate goes on once {@link OVERRIDES_NEEDED} different approvers have
 * overridden it and each has given a reason ({@link noteOverrideReason}).
 */
export async function requestOverride(
  deps: DecisionDeps,
  gate: Gate,
  workflow: Workflow,
  user: string,
): Promise<OverrideOutcome> {
  if (gate.state !== 'open') return { type: 'already', gate };
  const refuse = async (reason: string): Promise<OverrideOutcome> => {
    await recordEvent(deps.pool, workflow.id, 'gate_refused', user, { gate_id: gate.id, decision: 'override', reason });
    return { type: 'refused', reason };
  };
  const checks = blockingNames(gate);
  if (!checks.length) return refuse('No check of this gate failed, so there is nothing to override: click Approve.');
  if (gate.merges && user === workflow.requester && !deps.policy.requesterMayApproveMerge) {
    return refuse('You requested this change, so other approvers must override the gate that merges it to production.');
  }
  const overridden = await inTransaction(deps.pool, async (tx) => {
    const row = await addOverride(tx, gate.id, user);
    if (row)
      await recordEvent(tx, workflow.id, 'gate_override_requested', user, {
        gate_id: gate.id,
        kind: gate.kind,
        checks,
      });
    return row;
  });
  if (!overridden) {
    const now = (await getGate(deps.pool, gate.id))!;
    const mine = now.overrides.find((o) => o.user === user);
    if (now.state !== 'open' || !mine) return { type: 'already', gate: now };
    const next = mine.reason === undefined ? ' Reply in the thread with your reason.' : ' Ask another approver.';
    return refuse(
      `You have already overridden this gate; it needs ${OVERRIDES_NEEDED} different approvers, each with a reason.${next}`,
    );
  }
  const thread = { channel: workflow.channel_id, threadTs: workflow.root_ts! };
  await deps.slack.post(
    `gate:${gate.id}:override:${user}`,
    thread,
    deps.views.noticeMessage(
      `:rotating_light: <@${user}> is overriding the failed check(s) of the *${GATES[gate.kind].title}* gate: ${checks.join(', ')}. ` +
        `<@${user}>, reply in this thread with your reason for overriding. The gate goes on once ` +
        `${OVERRIDES_NEEDED} different approvers have overridden it, each with a reason.`,
    ),
  );
  await redraw(deps, workflow, overridden);
  return { type: 'override_pending', gate: overridden };
}

/**
 * A thread reply from an approver whose Override awaits its reason: the reply is the reason. When
 * enough different approvers have given theirs, the gate is approved and the workflow goes on.
 * Returns false when the reply is not such a reason.
 */
export async function noteOverrideReason(
  deps: DecisionDeps,
  workflow: Workflow,
  reply: { user: string; text: string },
): Promise<boolean> {
  if (workflow.state !== 'waiting_gate') return false;
  const gate = (await listGates(deps.pool, workflow.id)).find(
    (g) => g.state === 'open' && g.overrides.some((o) => o.user === reply.user && o.reason === undefined),
  );
  if (!gate) return false;
  const result = await inTransaction(deps.pool, async (tx) => {
    const reasoned = await setOverrideReason(tx, gate.id, reply.user, reply.text);
    if (!reasoned) return undefined;
    await recordEvent(tx, workflow.id, 'gate_override_reason', reply.user, { gate_id: gate.id, reason: reply.text });
    const approved = await approveByOverride(tx, gate.id, reply.user, OVERRIDES_NEEDED);
    if (!approved) return { gate: reasoned, approved: false };
    const policy = gatePolicy({ checks: approved.checks, merges: approved.merges });
    const data = {
      gate_id: gate.id,
      kind: gate.kind,
      checks: policy.blocking.map((c) => c.name),
      acknowledged_warnings: policy.warnings.map((c) => c.name),
      overrides: approved.overrides.map((o) => ({ user: o.user, reason: o.reason })),
    };
    await recordEvent(tx, workflow.id, 'gate_approved', reply.user, { ...data, overridden: true });
    await recordEvent(tx, workflow.id, 'gate_overridden', reply.user, data);
    const moved = await transitionWorkflow(tx, workflow.id, ['waiting_gate'], 'running', {
      type: 'workflow_resumed',
      actor: reply.user,
      data: { gate: gate.kind },
    });
    if (!moved)
      throw new NotAllowedError(
        `Workflow #${workflow.id} is no longer waiting at this gate; the Override changed nothing.`,
      );
    return { gate: approved, approved: true };
  }).catch((error) => {
    if (error instanceof NotAllowedError) return undefined;
    throw error;
  });
  if (!result) return false;
  const thread = { channel: workflow.channel_id, threadTs: workflow.root_ts! };
  if (!result.approved) {
    await deps.slack.post(
      `gate:${gate.id}:override-reason:${reply.user}`,
      thread,
      deps.views.noticeMessage(
        `Reason noted, <@${reply.user}>. The gate goes on once another approver overrides it too, with a reason.`,
      ),
    );
    await redraw(deps, workflow, result.gate);
    return true;
  }
  try {
    await advancePast(deps, workflow.id, (await getStep(deps.pool, gate.step_id))!.idx);
  } catch (error) {
    // Committed: the reconciler repeats the move if this fails.
    deps.logger.warn({ err: (error as Error).message, gate: gate.id }, 'gate overridden; moving on failed');
  }
  await redraw(deps, workflow, result.gate);
  return true;
}

/** Redraws the gate in its step's message: open with the Overrides so far, or decided. */
async function redraw(deps: DecisionDeps, workflow: Workflow, gate: Gate): Promise<void> {
  try {
    await drawGate(deps, workflow, gate);
  } catch (error) {
    deps.logger.warn({ err: (error as Error).message, gate: gate.id }, 'override recorded; redrawing the gate failed');
  }
}
