import { NotAllowedError } from '../errors';
import type { Queryable } from '../store/db';
import { findMessage } from '../store/slack-messages-repo';

/** Where a button click came from, as Slack's payload says: the channel and the ts of the clicked message. */
export interface ClickOrigin {
  channel: string;
  /** `container.message_ts` (the same as `message.ts`); undefined when the payload disagrees with itself. */
  messageTs?: string;
}

/**
 * A click decides only what its own message shows. A signed click from another channel or another
 * message that carries a gate's (or a workflow's) id is refused: the message the bot posted under `key`
 * must be the very message clicked.
 */
export async function clickRefusal(db: Queryable, key: string, click: ClickOrigin, what: 'gate' | 'report'): Promise<NotAllowedError | undefined> {
  const posted = await findMessage(db, key);
  if (posted?.ts && click.messageTs && posted.channelId === click.channel && posted.ts === click.messageTs) return undefined;
  return new NotAllowedError(`This click came from a message that is not the ${what}'s own message, so it changed nothing. Use the buttons on the ${what} in the workflow's thread.`);
}
