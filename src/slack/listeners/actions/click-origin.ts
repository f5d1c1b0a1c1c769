import type { BlockButtonAction } from '@slack/bolt';
import type { ClickOrigin } from '../../../engine/gates/click-origin';

/**
 * The channel and message a click came from. `container.message_ts` and `message.ts` name the same
 * message in every click Slack sends; a payload where they differ names none.
 */
export function clickOrigin(body: BlockButtonAction, channel: string): ClickOrigin {
  const container = (body.container ?? {}) as { message_ts?: unknown; channel_id?: unknown };
  const containerTs = typeof container.message_ts === 'string' ? container.message_ts : undefined;
  const messageTs = body.message?.ts;
  const sameChannel = container.channel_id === undefined || container.channel_id === channel;
  const ts = containerTs ?? messageTs;
  return { channel, messageTs: sameChannel && (messageTs === undefined || messageTs === ts) ? ts : undefined };
}
