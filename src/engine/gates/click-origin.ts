import { NotAllowedError } from '../../domain/errors';
import type { Queryable } from '../../store/db';
import { findMessage } from '../../store/slack-messages-repo';

/** How long a click waits for the ts of a message whose post is still in flight. */
const POST_IN_FLIGHT_WAIT_MS = 5000;

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
export async function clickRefusal(
  db: Queryable,
  key: string,
  click: ClickOrigin,
  what: 'gate' | 'report',
): Promise<NotAllowedError | undefined> {
  let posted = await findMessage(db, key);
  // Slack can deliver a click on a message before the bot has recorded that message's ts (the post is
  // reserved first, its ts written once Slack answers): wait for the ts rather than refuse the click.
  for (let waited = 0; posted && !posted.ts && waited < POST_IN_FLIGHT_WAIT_MS; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    posted = await findMessage(db, key);
  }
  if (posted?.ts && click.messageTs && posted.channelId === click.channel && posted.ts === click.messageTs)
    return undefined;
  return new NotAllowedError(
    `This click came from a message that is not the ${what}'s own message, so it changed nothing. Use the ` +
      `buttons on the ${what} in the workflow's thread.`,
  );
}
