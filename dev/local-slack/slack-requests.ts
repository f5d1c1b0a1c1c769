import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_SLACK_IDS } from './slack-ids';

/** Slack's request-signing headers. */
export interface SlackSignatureHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

/** Signs `body` the way Slack does: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function sign(
  signingSecret: string,
  body: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): SlackSignatureHeaders {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestamp) };
}

/** The app id the builders put in every payload (same as the fake Slack's default). */
export const TEST_APP_ID = DEFAULT_SLACK_IDS.appId;
/** Slack's deprecated verification token; Bolt ignores it, Slack still sends it. */
export const TEST_VERIFICATION_TOKEN = 'verification-token-unused';

/** Fields of a slash command invocation. */
export interface SlashCommandInput {
  command: string;
  text: string;
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  teamId: string;
  teamDomain?: string;
  responseUrl: string;
  triggerId?: string;
}

/** A slash command body as Slack posts it (`application/x-www-form-urlencoded`, Slack's field order). */
export function slashCommandBody(input: SlashCommandInput): string {
  return new URLSearchParams({
    token: TEST_VERIFICATION_TOKEN,
    team_id: input.teamId,
    team_domain: input.teamDomain ?? 'test-team',
    channel_id: input.channelId,
    channel_name: input.channelName ?? 'infra-ops',
    user_id: input.userId,
    user_name: input.userName ?? nameFor(input.userId),
    command: input.command,
    text: input.text,
    api_app_id: TEST_APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId ?? triggerId(),
  }).toString();
}

/** The message a button was clicked on, as Slack echoes it in the payload. */
export interface ClickedMessage {
  text?: string;
  blocks?: unknown[];
  user?: string;
  bot_id?: string;
}

/** Fields of a button click. */
export interface BlockActionsInput {
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  teamId: string;
  teamDomain?: string;
  messageTs: string;
  threadTs?: string;
  actionId: string;
  blockId: string;
  value: string;
  /** The button's label; defaults to the action id. */
  buttonText?: string;
  responseUrl: string;
  triggerId?: string;
  /** The clicked message (e.g. `fake.message(channel, ts)`), echoed in `message`. */
  message?: ClickedMessage;
  /** Who posted the clicked message when `message` does not say; defaults to a bot user id. */
  botUserId?: string;
  botId?: string;
}

/** A button click (`block_actions`) as Slack posts it: `payload=<urlencoded JSON>`. */
export function blockActionsBody(input: BlockActionsInput): string {
  const userName = input.userName ?? nameFor(input.userId);
  const container: Record<string, unknown> = {
    type: 'message',
    message_ts: input.messageTs,
    channel_id: input.channelId,
    is_ephemeral: false,
  };
  if (input.threadTs !== undefined) container.thread_ts = input.threadTs;
  const message: Record<string, unknown> = {
    type: 'message',
    user: input.message?.user ?? input.botUserId ?? DEFAULT_SLACK_IDS.botUserId,
    ts: input.messageTs,
    bot_id: input.message?.bot_id ?? input.botId ?? DEFAULT_SLACK_IDS.botId,
    app_id: TEST_APP_ID,
    text: input.message?.text ?? '',
    team: input.teamId,
  };
  if (input.message?.blocks !== undefined) message.blocks = input.message.blocks;
  if (input.threadTs !== undefined) message.thread_ts = input.threadTs;
  const payload = {
    type: 'block_actions',
    user: { id: input.userId, username: userName, name: userName, team_id: input.teamId },
    api_app_id: TEST_APP_ID,
    token: TEST_VERIFICATION_TOKEN,
    container,
    trigger_id: input.triggerId ?? triggerId(),
    team: { id: input.teamId, domain: input.teamDomain ?? 'test-team' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channelId, name: input.channelName ?? 'infra-ops' },
    message,
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [
      {
        action_id: input.actionId,
        block_id: input.blockId,
        text: { type: 'plain_text', text: input.buttonText ?? input.actionId, emoji: true },
        value: input.value,
        type: 'button',
        action_ts: actionTs(),
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Fields of a `message` event. */
export interface MessageEventInput {
  eventId: string;
  teamId: string;
  channelId: string;
  userId: string;
  text: string;
  ts: string;
  threadTs?: string;
  /** Set for messages posted by an app (e.g. the bot itself). */
  botId?: string;
  subtype?: string;
  channelType?: 'channel' | 'group' | 'im' | 'mpim';
  /** The installing bot user, echoed in `authorizations`. */
  botUserId?: string;
  parentUserId?: string;
}

/** An Events API `event_callback` envelope carrying a `message` event, as JSON text. */
export function messageEventBody(input: MessageEventInput): string {
  const event: Record<string, unknown> = { type: 'message' };
  if (input.subtype !== undefined) event.subtype = input.subtype;
  if (input.botId === undefined) event.client_msg_id = randomUUID();
  Object.assign(event, { text: input.text, user: input.userId, ts: input.ts });
  if (input.botId !== undefined) {
    event.bot_id = input.botId;
    event.app_id = TEST_APP_ID;
  }
  event.team = input.teamId;
  if (input.threadTs !== undefined) {
    event.thread_ts = input.threadTs;
    if (input.parentUserId !== undefined) event.parent_user_id = input.parentUserId;
  }
  Object.assign(event, {
    channel: input.channelId,
    event_ts: input.ts,
    channel_type: input.channelType ?? 'channel',
  });
  return JSON.stringify(envelope(input.eventId, input.teamId, input.botUserId, event, Number.parseInt(input.ts, 10)));
}

/** Fields of an `app_home_opened` event. */
export interface AppHomeOpenedInput {
  eventId: string;
  teamId: string;
  userId: string;
  /** The DM channel between the user and the app. */
  channelId?: string;
  botUserId?: string;
}

/** An Events API envelope carrying `app_home_opened` (Home tab), as JSON text. */
export function appHomeOpenedBody(input: AppHomeOpenedInput): string {
  const eventTs = actionTs();
  const event = {
    type: 'app_home_opened',
    user: input.userId,
    channel: input.channelId ?? 'D0HOME0001',
    tab: 'home',
    event_ts: eventTs,
  };
  return JSON.stringify(envelope(input.eventId, input.teamId, input.botUserId, event, Number.parseInt(eventTs, 10)));
}

/** How to post to the app. */
export interface PostOptions {
  signingSecret: string;
  contentType: 'application/x-www-form-urlencoded' | 'application/json';
  /** Signing timestamp in seconds; default now. Use an old one to test replay protection. */
  timestamp?: number;
  /** Overrides the computed signature (to test rejection). */
  signature?: string;
  /** Sets `x-slack-retry-num` and `x-slack-retry-reason: http_timeout`, as Slack's redelivery does. */
  retryNum?: number;
}

/** The app's HTTP answer. */
export interface SlackPostResult {
  status: number;
  text: string;
  /** Parsed body when the app answered JSON. */
  json?: unknown;
  headers: Record<string, string>;
  /** Time until the full answer arrived; Slack gives up after 3000 ms. */
  elapsedMs: number;
}

/**
 * POSTs a signed body to the app's Slack endpoint (e.g. `http://127.0.0.1:<port>/slack/events`).
 * Bolt answers a slash command or action with the ack: JSON when `ack()` got an object, empty when not.
 */
export async function postToSlackEvents(url: string, body: string, options: PostOptions): Promise<SlackPostResult> {
  const signed = sign(options.signingSecret, body, options.timestamp);
  const headers: Record<string, string> = {
    'content-type': options.contentType,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': signed['x-slack-request-timestamp'],
    'x-slack-signature': options.signature ?? signed['x-slack-signature'],
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const started = Date.now();
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  const result: SlackPostResult = {
    status: response.status,
    text,
    headers: Object.fromEntries(response.headers.entries()),
    elapsedMs: Date.now() - started,
  };
  if ((response.headers.get('content-type') ?? '').includes('application/json') && text !== '') {
    result.json = JSON.parse(text) as unknown;
  }
  return result;
}

export function envelope(
  eventId: string,
  teamId: string,
  botUserId: string | undefined,
  event: Record<string, unknown>,
  eventTime: number,
): Record<string, unknown> {
  return {
    token: TEST_VERIFICATION_TOKEN,
    team_id: teamId,
    context_team_id: teamId,
    context_enterprise_id: null,
    api_app_id: TEST_APP_ID,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: eventTime,
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: botUserId ?? DEFAULT_SLACK_IDS.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify({ et: event.type, tid: teamId, aid: TEST_APP_ID })).toString('base64url')}`,
  };
}

function nameFor(userId: string): string {
  return `user-${userId.toLowerCase()}`;
}

function triggerId(): string {
  const n = () => String(Math.floor(Math.random() * 1e13)).padStart(13, '0');
  return `${n()}.${n()}.${randomBytes(16).toString('hex')}`;
}

function actionTs(): string {
  const micros = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}
