import { approversNote } from '../../domain/approval-policy';
import { changesReasonFor } from '../../domain/attempts';
import { handoffSchema } from '../../domain/handoff';
import type { SlackMessage } from '../../domain/message';
import type { Gate, Step, Workflow } from '../../domain/records';
import { listEvents } from '../../store/events';
import { completeMessage, findMessage, reserveMessage } from '../../store/slack-messages-repo';
import { getStep } from '../../store/steps-repo';
import type { DecisionDeps } from '../deps';
import { stepDoneView, stepKey, stepHeadline } from '../step-kinds/step-thread';
import { attemptsExhausted } from '../../domain/attempts';

/**
 * A gate is shown in its step's own message, under the step's outcome and handoff: one message per
 * step. Every redraw (an approval, an Override, a decision, the end of the workflow) goes through
 * here, so the step's part stays. The gate's post key is bound to the step's message, so a click is
 * checked against it as before.
 */
export async function drawGate(deps: DecisionDeps, workflow: Workflow, gate: Gate): Promise<void> {
  const thread = { channel: workflow.channel_id, threadTs: workflow.root_ts! };
  const message = await gateInStepMessage(deps, workflow, gate);
  const key = `gate:${gate.id}`;
  let ts = (await findMessage(deps.pool, key))?.ts ?? undefined;
  if (!ts) {
    const stepMessage = await findMessage(
      deps.pool,
      `${stepKey({ id: gate.step_id, attempt: gate.attempt })}:progress`,
    );
    if (stepMessage?.ts) {
      const record = await reserveMessage(deps.pool, key, workflow.channel_id);
      if (!record.ts) await completeMessage(deps.pool, key, stepMessage.ts);
      ts = record.ts ?? stepMessage.ts;
    } else {
      ts = await deps.slack.post(key, thread, message);
    }
  }
  await deps.slack.update(thread.channel, ts, message);
}

/** The gate's view (open with its buttons, or decided), under its step's part. */
async function gateInStepMessage(deps: DecisionDeps, workflow: Workflow, gate: Gate): Promise<SlackMessage> {
  const gateView =
    gate.state === 'open'
      ? deps.views.gateOpenMessage(
          gate,
          approversNote(deps.policy, gate.merges, workflow.requester),
          attemptsExhausted(gate, deps.maxStepAttempts),
        )
      : deps.views.gateDecidedMessage(gate);
  const step = (await getStep(deps.pool, gate.step_id))!;
  const stepView = await stepPart(deps, workflow, step, gate);
  return {
    text: `${stepView.text} · ${gateView.text}`,
    blocks: [...(stepView.blocks ?? []), { type: 'divider' }, ...(gateView.blocks ?? [])],
  };
}

/**
 * The step's part: its current result, or, for the gate of an attempt sent back with Request changes,
 * what that attempt produced (kept with the reason).
 */
async function stepPart(deps: DecisionDeps, workflow: Workflow, step: Step, gate: Gate): Promise<SlackMessage> {
  if (gate.attempt === step.attempt) return stepDoneView(deps, workflow, step);
  const reason = changesReasonFor(await listEvents(deps.pool, workflow.id), step.id, gate.attempt + 1);
  const handoff = handoffSchema.safeParse(reason?.previous.handoff);
  return deps.views.stepDoneMessage(stepHeadline(deps, workflow, { ...step, attempt: gate.attempt }), {
    summary: reason?.previous.summary ?? 'Done.',
    elapsedMs: reason?.previous.elapsed_ms ?? 0,
    handoff: handoff.success ? handoff.data : undefined,
  });
}
