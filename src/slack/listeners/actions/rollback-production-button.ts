import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { InfraError, NotAllowedError } from '../../../domain/errors';
import { rollbackProduction } from '../../../engine/rollback-production';
import { errorMessage, noticeMessage, refusalMessage } from '../../../views/command-responses';
import type { ListenerDeps } from '../listener-deps';
import { clickOrigin } from './click-origin';

const clickSchema = z.object({
  value: z.string().regex(/^\d+$/),
  user: z.string().min(1),
  channel: z.string().min(1),
  threadTs: z.string().optional(),
});

/** "Roll back production" on a merged workflow's report (Slack showed the confirm dialog first), bound to that report. */
export function rollbackProductionButton(deps: ListenerDeps) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const parsed = clickSchema.safeParse({
      value: action.value,
      user: body.user.id,
      channel: body.channel?.id,
      threadTs: body.message?.thread_ts,
    });
    if (!parsed.success) return;
    const { user, channel, threadTs } = parsed.data;
    let message: ReturnType<typeof noticeMessage>;
    try {
      message = noticeMessage(
        await rollbackProduction(deps.engine, Number(parsed.data.value), user, clickOrigin(body, channel)),
      );
    } catch (error) {
      if (!(error instanceof InfraError)) deps.logger.error({ err: error }, 'production rollback failed to start');
      // A refusal is the bot's own mrkdwn naming the approvers: its mentions must stay links.
      if (error instanceof NotAllowedError) message = refusalMessage(error.message);
      else
        message = errorMessage(
          error instanceof InfraError
            ? error.message
            : 'The rollback could not be started; nothing changed. Please try again in a minute.',
        );
    }
    await client.chat.postEphemeral({ channel, user, thread_ts: threadTs, text: message.text, blocks: message.blocks });
  };
}
