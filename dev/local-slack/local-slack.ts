import type { LocalSlackRateLimit } from './rate-limits';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PollOptions } from './poll-until';
import type { UploadedFile } from './uploaded-files';
import type { LocalUserGroup } from './usergroup-methods';

/** A Block Kit block or legacy attachment as sent by the app (not validated beyond Slack's limits). */
export type SlackBlock = Record<string, unknown>;

/** Message metadata as Slack stores it. */
export interface SlackMessageMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

/** One state of a message: as posted, then after each edit. */
export interface LocalSlackMessageVersion {
  via: 'chat.postMessage' | 'chat.update' | 'response_url' | 'addUserMessage';
  text: string;
  blocks?: SlackBlock[];
  attachments?: SlackBlock[];
  metadata?: SlackMessageMetadata;
  /** The `edited.ts` Slack gave this edit; absent for the first version. */
  edited_ts?: string;
}

/** A message as it currently is in the local Slack (Slack's own field names). */
export interface LocalSlackMessage {
  type: 'message';
  channel: string;
  ts: string;
  /** Set on thread replies only (the parent's ts). */
  thread_ts?: string;
  text: string;
  blocks?: SlackBlock[];
  attachments?: SlackBlock[];
  metadata?: SlackMessageMetadata;
  user: string;
  bot_id?: string;
  edited?: { user: string; ts: string };
  /** Files shared by this message (files.completeUploadExternal). */
  files?: Array<{ id: string; name: string; title: string }>;
  /** Every version of the message, oldest first; the last one is the current state. */
  history: LocalSlackMessageVersion[];
}

/** One Web API call received by the fake. */
export interface LocalSlackCall {
  method: string;
  /** Parsed arguments; form fields `blocks`, `metadata`, `attachments`, `view` are JSON-decoded. */
  params: Record<string, unknown>;
  token?: string;
  contentType: string;
  time: number;
  /** HTTP status and `ok`/`error` of the answer the fake gave. */
  status: number;
  ok: boolean;
  error?: string;
}

/** An ephemeral message: only `user` sees it. */
export interface LocalSlackEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: SlackBlock[];
  attachments?: SlackBlock[];
  thread_ts?: string;
  message_ts: string;
  time: number;
}

/** A POST received on a response_url (what Bolt's `respond()` sends). */
export interface LocalSlackResponse {
  name: string;
  text?: string;
  blocks?: SlackBlock[];
  attachments?: SlackBlock[];
  response_type?: 'ephemeral' | 'in_channel';
  replace_original?: boolean;
  delete_original?: boolean;
  thread_ts?: string;
  /** The JSON body exactly as received. */
  body: Record<string, unknown>;
  time: number;
}

/** A view published to a user's App Home. */
export interface LocalSlackPublishedView {
  user_id: string;
  view_id: string;
  /** The view as Slack answered it (with id, team_id, hash, ...). */
  view: Record<string, unknown>;
  time: number;
}

/** What the next call of a method answers instead of its normal result. */
export type LocalSlackFault = { status: 429; retryAfter: number } | { error: string };

/** Options of {@link startLocalSlack}. */
export interface LocalSlackOptions {
  botUserId?: string;
  botId?: string;
  teamId?: string;
  appId?: string;
  /** Port; default 0, a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. The demo in a container uses 0.0.0.0. */
  host?: string;
  /**
   * Served before the Slack routes (the demo's page and its API): answers true when it handled the
   * request. Anything neither it nor the Slack routes know is recorded in `unexpected`.
   */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
  /** Per-method rate limits answered with 429 + Retry-After, e.g. `{ 'chat.postMessage': { intervalMs: 1000 } }`. */
  rateLimits?: Record<string, LocalSlackRateLimit>;
}

/** A message a (human) user posts; see {@link LocalSlack.addUserMessage}. */
export interface UserMessageInput {
  channel: string;
  user: string;
  text: string;
  thread_ts?: string;
  blocks?: SlackBlock[];
}

/** A local HTTP server speaking Slack's Web API and response_url wire formats. */
export interface LocalSlack {
  /** `http://127.0.0.1:<port>/api/`: give it to Bolt as `clientOptions.slackApiUrl`. */
  readonly apiUrl: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly appId: string;
  /** Every Web API call, in arrival order. */
  readonly calls: readonly LocalSlackCall[];
  /** Requests the fake did not expect (unknown methods, unauthenticated calls, invalid blocks...). */
  readonly unexpected: readonly string[];
  readonly ephemerals: readonly LocalSlackEphemeral[];
  readonly responses: readonly LocalSlackResponse[];
  readonly published: readonly LocalSlackPublishedView[];
  /** Files uploaded through files.uploadV2 (getUploadURLExternal, upload, completeUploadExternal). */
  readonly files: readonly UploadedFile[];
  /**
   * `http://127.0.0.1:<port>/response/<name>`. When `original` is given, `replace_original` and
   * `delete_original` posted there edit or delete that message, as Slack does.
   */
  responseUrl(name: string, original?: { channel: string; ts: string }): string;
  /** Makes the next call of `method` answer HTTP 429 (with Retry-After) or `{ok:false,error}`. Faults queue up. */
  failNext(method: string, fault: LocalSlackFault): void;
  callsTo(method: string): LocalSlackCall[];
  /** Top-level messages of a channel, oldest first, as they are now. */
  channelMessages(channel: string): LocalSlackMessage[];
  /** Replies of the thread whose parent is `ts` (parent excluded), oldest first, as they are now. */
  thread(channel: string, ts: string): LocalSlackMessage[];
  /** One message as it is now; undefined if unknown or deleted. */
  message(channel: string, ts: string): LocalSlackMessage | undefined;
  /** Creates or replaces a user group (usergroups.list, usergroups.users.list answer from these). */
  setUserGroup(group: LocalUserGroup): void;
  /** Stores a message posted by a human, e.g. a reply the test then announces with a message event. */
  addUserMessage(input: UserMessageInput): LocalSlackMessage;
  /** Polls `predicate` every 25 ms; on timeout throws with `description` and a dump of every conversation. */
  waitFor<T>(predicate: () => T | undefined | false | null, options?: PollOptions): Promise<T>;
  /** Human-readable dump of all channels, threads, ephemerals, responses and unexpected requests. */
  dump(): string;
  /** Throws listing {@link unexpected} when it is not empty. */
  assertNoUnexpected(): void;
  close(): Promise<void>;
}
