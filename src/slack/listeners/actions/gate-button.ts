import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { decideAtGate, type GateDecision } from '../../../engine/gates/gate-decision';
import { GATES } from '../../../domain/gate-kinds';
import { OVERRIDES_NEEDED } from '../../../domain/gate-policy';
import type { SlackMessage } from '../../../domain/message';
import { errorMessage, noticeMessage, refusalMessage } from '../../../views/command-responses';
import { GATE_ACTION_PATTERN } from '../../../domain/action-ids';
import type { ListenerDeps } from '../listener-deps';
import { clickOrigin } from './click-origin';

const clickSchema = z.object({
  action: z.object({ action_id: z.string().regex(GATE_ACTION_PATTERN), value: z.string().regex(/^\d+$/) }),
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }),
  threadTs: z.string().optional(),
});

/**
 * Approve / Reject / Request changes / Rollback / Override: acked at once, then bound to its gate message, authorised and
 * decided by one conditional update.
 */
export function gateButton(deps: ListenerDeps) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const parsed = clickSchema.safeParse({
      action,
      user: body.user,
      channel: body.channel,
      threadTs: body.message?.thread_ts,
    });
    if (!parsed.success) {
      deps.logger.warn({ issues: parsed.error.issues }, 'malformed gate click');
      return;
    }
    const { user, channel, threadTs } = parsed.data;
    const decision = parsed.data.action.action_id.replace('gate_', '') as GateDecision;
    const tell = (m: SlackMessage) =>
      client.chat.postEphemeral({
        channel: channel.id,
        user: user.id,
        thread_ts: threadTs,
        text: m.text,
        blocks: m.blocks,
      });
    try {
      const outcome = await decideAtGate(deps.engine, {
        gateId: Number(parsed.data.action.value),
        decision,
        user: user.id,
        click: clickOrigin(body, channel.id),
      });
      if (outcome.type === 'refused') await tell(refusalMessage(outcome.reason));
      if (outcome.type === 'partial') {
        await tell(
          noticeMessage(
            `Your approval is recorded (${outcome.gate.approvals.length} of ${outcome.gate.approvals_needed}). ` +
              `This destructive change needs another approver before it goes on.`,
          ),
        );
      }
      if (outcome.type === 'override_pending') {
        await tell(
          noticeMessage(
            `Your Override is recorded. Reply in the thread with your reason; the gate goes on once ` +
              `${OVERRIDES_NEEDED} different approvers have overridden it, each with a reason.`,
          ),
        );
      }
      if (outcome.type === 'changes_pending') {
        await tell(
          noticeMessage(
            `Reply in this thread with what should change. The step then runs again with your reason and ` +
              `its previous attempt, and the ${GATES[outcome.gate.kind].title} gate reopens on the new result.`,
          ),
        );
      }
      if (outcome.type === 'already') {
        const who = outcome.gate.decided_by ? ` by <@${outcome.gate.decided_by}>` : '';
        await tell(
          noticeMessage(
            `The ${GATES[outcome.gate.kind].title} gate was already ` +
              `${outcome.gate.state.replace('_', ' ')}${who}; your click changed nothing.`,
          ),
        );
      }
    } catch (error) {
      deps.logger.error({ err: error }, 'gate decision failed');
      await tell(
        errorMessage('Your decision could not be recorded; nothing changed. Please click again in a minute.'),
      ).catch(() => undefined);
    }
  };
}
