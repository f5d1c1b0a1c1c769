import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { firstDelivery } from '../../../store/slack-messages-repo';
import { handleThreadReply } from '../../../engine/thread/replies';
import type { ListenerDeps } from '../listener-deps';

/** A person's thread reply; the bot's own posts, edits and other subtypes are not replies. */
const replySchema = z.object({
  channel: z.string().min(1),
  user: z.string().min(1),
  text: z.string(),
  ts: z.string(),
  thread_ts: z.string(),
  bot_id: z.never().optional(),
  subtype: z.never().optional(),
});

/** Thread replies: answers to a pending question, a rejection's reason, or comments for the next agent. */
export function threadReply(deps: ListenerDeps) {
  return async ({ message, body }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs): Promise<void> => {
    const reply = replySchema.safeParse(message);
    if (!reply.success || reply.data.ts === reply.data.thread_ts) return;
    const eventId = (body as { event_id?: string }).event_id;
    if (eventId && !(await firstDelivery(deps.pool, eventId))) return;
    try {
      await handleThreadReply(deps.engine, {
        channel: reply.data.channel,
        threadTs: reply.data.thread_ts,
        user: reply.data.user,
        text: reply.data.text,
      });
    } catch (error) {
      deps.logger.error({ err: error }, 'thread reply failed');
    }
  };
}
