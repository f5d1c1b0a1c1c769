import { randomUUID } from 'node:crypto';
import { webApi } from '@slack/bolt';
import { envelope } from '../../dev/local-slack/slack-requests';
import type { LocalSlack } from '../../dev/local-slack/local-slack';
import { startLocalSlack } from '../../dev/local-slack/local-slack-server';

/** The bot token the Web API tests send. */
export const TOKEN = 'xoxb-test-token';

/** An approval message's blocks (header, section with fields, context, two buttons), as the bot sends such messages. */
export const approvalBlocks = [
  { type: 'header', text: { type: 'plain_text', text: 'Apply migration?' } },
  {
    type: 'section',
    text: { type: 'mrkdwn', text: '*002_add_index.sql* on `staging`' },
    fields: [{ type: 'mrkdwn', text: 'Risk: low' }],
  },
  { type: 'context', elements: [{ type: 'mrkdwn', text: 'requested by <@U0ALICE001>' }] },
  {
    type: 'actions',
    block_id: 'gate',
    elements: [
      {
        type: 'button',
        action_id: 'approve',
        text: { type: 'plain_text', text: 'Approve' },
        value: 'run-1',
        style: 'primary',
      },
      {
        type: 'button',
        action_id: 'reject',
        text: { type: 'plain_text', text: 'Reject' },
        value: 'run-1',
        style: 'danger',
      },
    ],
  },
];

/** Swallows the WebClient's logging (it logs Slack's `[ERROR]` response messages even at ERROR level). */
export const silentLogger: webApi.Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => webApi.LogLevel.ERROR,
  setName: () => undefined,
};

/** A local Slack and the real WebClient pointed at it, without retries, as the Web API tests use them. */
export async function startLocalSlackClient(): Promise<{ fake: LocalSlack; client: webApi.WebClient }> {
  const fake = await startLocalSlack();
  const client = new webApi.WebClient(TOKEN, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    logger: silentLogger,
  });
  return { fake, client };
}

/** Fields of an `app_mention` event: a person's message that mentions the bot. */
export interface AppMentionInput {
  eventId: string;
  teamId: string;
  channelId: string;
  userId: string;
  /** As Slack sends it: the mention is `<@BOTUSERID>` inside the text. */
  text: string;
  ts: string;
  threadTs?: string;
  botUserId: string;
}

/** An Events API `event_callback` envelope carrying `app_mention`, as JSON text (Slack's field order). */
export function appMentionBody(input: AppMentionInput): string {
  const event: Record<string, unknown> = {
    type: 'app_mention',
    client_msg_id: randomUUID(),
    text: input.text,
    user: input.userId,
    ts: input.ts,
    team: input.teamId,
    ...(input.threadTs === undefined ? {} : { thread_ts: input.threadTs }),
    channel: input.channelId,
    event_ts: input.ts,
  };
  return JSON.stringify(envelope(input.eventId, input.teamId, input.botUserId, event, Number.parseInt(input.ts, 10)));
}
