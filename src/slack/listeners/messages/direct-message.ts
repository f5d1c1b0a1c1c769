import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../listener-deps';
import { addressedCommand } from '../events/app-mention';

/**
 * A top-level message in the bot's DM reads as a mention (Slack sends no `app_mention` in a DM): with or
 * without `@infra`, it is a command. Thread replies in the DM stay replies (thread-reply.ts).
 */
export function directMessage(deps: ListenerDeps) {
  return async ({ message, body, context }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs) => {
    const m = message as { channel_type?: string; thread_ts?: string; ts?: string };
    if (m.channel_type !== 'im' || (m.thread_ts !== undefined && m.thread_ts !== m.ts)) return;
    await addressedCommand(deps, { event: message, body, botUserId: context.botUserId, direct: true });
  };
}
