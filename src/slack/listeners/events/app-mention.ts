import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { SlackMessage } from '../../../domain/message';
import { firstDelivery } from '../../../store/slack-messages-repo';
import type { ListenerDeps } from '../listener-deps';
import { parseCommand } from '../commands/parse-command';
import { runCommand } from '../commands/run-command';

/** A person's message that addresses the bot: an `app_mention`, or a top-level message in its DM. */
const addressedSchema = z.object({
  user: z.string().min(1),
  text: z.string(),
  ts: z.string().min(1),
  channel: z.string().min(1),
  thread_ts: z.string().optional(),
  bot_id: z.never().optional(),
  subtype: z.never().optional(),
});

/** The envelope fields the listener needs: the event id (Slack's retries repeat it) and the workspace. */
const envelopeSchema = z.object({ event_id: z.string().min(1), team_id: z.string().min(1) });

/** The text without the bot's own mention(s): `<@U0BOT> add a table` reads as `add a table`. */
export function withoutMention(text: string, botUserId: string | undefined): string {
  const own = botUserId ? new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g') : /^\s*<@[UW][A-Z0-9]+(\|[^>]*)?>/;
  return text.replace(own, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * `@infra <request>` (or `@infra help`, `status 12`, …): the same command as `/infra`, answered to the
 * mentioning person only (chat.postEphemeral, in the mention's thread). A request's workflow lives in
 * the mention's thread: its root message is the first reply there. Slack redelivers an event it thinks
 * was not acked (same event_id, `X-Slack-Retry-Num`): each event id runs once.
 */
export async function addressedCommand(
  deps: ListenerDeps,
  args: { event: unknown; body: unknown; botUserId?: string; direct?: boolean },
): Promise<void> {
  const message = addressedSchema.safeParse(args.event);
  const envelope = envelopeSchema.safeParse(args.body);
  if (!message.success || !envelope.success) return;
  const { user, channel, ts } = message.data;
  const threadTs = message.data.thread_ts ?? ts;
  try {
    if (!(await firstDelivery(deps.pool, envelope.data.event_id))) {
      deps.logger.info({ user, channel }, 'redelivered mention ignored');
      return;
    }
  } catch (error) {
    deps.logger.error({ err: error }, 'could not record the mention');
    return;
  }
  const reply = (m: SlackMessage) => deps.engine.slack.ephemeral(channel, user, m, threadTs);
  // Examples in the answer read as the person would type them here: `@infra …`, or plain text in the DM.
  const prefix = args.direct ? '' : args.botUserId ? `<@${args.botUserId}>` : '@infra';
  await runCommand(
    deps,
    parseCommand(withoutMention(message.data.text, args.botUserId), prefix),
    { user, channel, team: envelope.data.team_id, threadTs, prefix },
    { reply, started: async () => undefined },
  );
}

/** The `app_mention` event in a channel the bot is in. */
export function appMention(deps: ListenerDeps) {
  return async ({ event, body, context }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs) =>
    addressedCommand(deps, { event, body, botUserId: context.botUserId });
}
