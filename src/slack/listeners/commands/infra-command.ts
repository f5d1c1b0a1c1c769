import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { firstCommand } from '../../../store/slack-messages-repo';
import { errorMessage, noticeMessage } from '../../../views/command-responses';
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

/**
 * `/infra`. Quick answers go back in the ack; a request or a cancel is acked at once (Slack allows 3 s),
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
    try {
      if (!(await firstCommand(deps.pool, { triggerId, userId: user, channelId: channel }))) {
        deps.logger.warn({ user, channel }, 'replayed slash command ignored');
        return await out.reply(
          noticeMessage('This command was already received (same trigger_id); it was not run again.'),
        );
      }
    } catch (error) {
      deps.logger.error({ err: error }, '/infra failed');
      return out.reply(
        errorMessage('Something went wrong on our side; nothing was started. Please try again in a minute.'),
      );
    }
    await runCommand(deps, parseCommand(text), { user, channel, team }, out);
  };
}
