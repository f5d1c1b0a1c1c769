import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { firstCommand } from '../../../store/slack-messages-repo';
import { requestRecorder } from '../../../store/command-requests';
import { acceptedMessage, errorMessage, noticeMessage } from '../../../views/command-responses';
import type { SlackMessage } from '../../../domain/message';
import type { ListenerDeps } from '../listener-deps';
import { parseCommand } from './parse-command';
import { runCommand } from './run-command';

/** The fields of a slash command this bot relies on, validated at the boundary. */
const commandSchema = z.object({
  text: z.string(),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  team_id: z.string().min(1),
  trigger_id: z.string().min(1),
});

const ephemeral = (m: SlackMessage) => ({ response_type: 'ephemeral' as const, text: m.text, blocks: m.blocks });

const REPLAYED = 'This command was already received (same trigger_id); it was not run again.';

/**
 * A request from `/infra`: recorded (with its trigger_id and event) in one round trip to Postgres, shared
 * with the requests that arrived meanwhile (group commit), answered in the ack body with its number, then
 * queued. Nothing else of the request sits between two
 * acks; should the enqueue fail, the reconciler queues the planned workflow's job.
 */
async function request(
  deps: ListenerDeps,
  ack: SlackCommandMiddlewareArgs['ack'],
  c: { text: string; user_id: string; channel_id: string; team_id: string; trigger_id: string },
): Promise<void> {
  const workflow = await requestRecorder(deps.pool).record({
    triggerId: c.trigger_id,
    request: c.text,
    requester: c.user_id,
    teamId: c.team_id,
    channelId: c.channel_id,
    target: deps.target,
  });
  if (!workflow) {
    deps.logger.warn({ user: c.user_id, channel: c.channel_id }, 'replayed slash command ignored');
    return await ack(ephemeral(noticeMessage(REPLAYED)));
  }
  await ack(ephemeral(acceptedMessage(workflow.id, false)));
  await deps.engine.queue
    .enqueue({ name: 'plan', data: { workflowId: workflow.id } })
    .catch((err: unknown) =>
      deps.logger.error({ err, workflowId: workflow.id }, 'could not queue the plan job; the reconciler will'),
    );
}

/**
 * `/infra`. A request is recorded and answered in the ack (above); other quick answers go back in the ack;
 * a cancel is acked at once (Slack allows 3 s),
 * then recorded and queued (`runCommand`, shared with the @mention). Each trigger_id is recorded first,
 * so a replayed signed command does nothing twice.
 */
export function infraCommand(deps: ListenerDeps) {
  return async ({ command, ack, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    let acked = false;
    const out = {
      started: async () => {
        if (acked) return;
        acked = true;
        await ack();
      },
      reply: async (m: SlackMessage) => {
        if (acked) {
          await respond(ephemeral(m));
          return;
        }
        acked = true;
        await ack(ephemeral(m));
      },
    };
    const parsed = commandSchema.safeParse(command);
    if (!parsed.success) return out.reply(errorMessage('Slack sent an incomplete command; please try again.'));
    const { text, user_id: user, channel_id: channel, team_id: team, trigger_id: triggerId } = parsed.data;
    const cmd = parseCommand(text);
    try {
      if (cmd.type === 'request') return await request(deps, ack, { ...parsed.data, text: cmd.text });
      if (!(await firstCommand(deps.pool, { triggerId, userId: user, channelId: channel }))) {
        deps.logger.warn({ user, channel }, 'replayed slash command ignored');
        return await out.reply(noticeMessage(REPLAYED));
      }
    } catch (error) {
      deps.logger.error({ err: error }, '/infra failed');
      return out.reply(
        errorMessage('Something went wrong on our side; nothing was started. Please try again in a minute.'),
      );
    }
    await runCommand(deps, cmd, { user, channel, team }, out);
  };
}
