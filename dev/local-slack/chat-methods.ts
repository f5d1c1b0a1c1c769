import { isEmptyContent, readContent, readMetadata } from './message-content';
import type { StoredMessage } from './message-store';
import { wireMessage } from './message-wire';
import {
  compareTs,
  decodeCursor,
  encodeCursor,
  fail,
  isTrue,
  ok,
  optionalString,
  toInt,
  type ApiAnswer,
} from './slack-api-wire';
import type { LocalSlackEphemeral } from './local-slack';
import type { LocalSlackState } from './local-slack-state';

/** chat.postMessage: a bot message in a channel or, with thread_ts, in a thread. */
export function postMessage(state: LocalSlackState, p: Record<string, unknown>): ApiAnswer {
  const channel = optionalString(p.channel);
  if (channel === undefined || channel === '') return fail('channel_not_found');
  const content = readContent('chat.postMessage', p, state.unexpected);
  if ('error' in content) return content.error;
  if (isEmptyContent(content)) return fail('no_text');
  const metadata = readMetadata('chat.postMessage', p.metadata, state.unexpected);
  if (metadata === null) return fail('invalid_metadata_format');

  const threadTs = state.messages.threadRoot(channel, optionalString(p.thread_ts));
  const stored: StoredMessage = {
    type: 'message',
    channel,
    ts: state.messages.nextTs(),
    text: content.text ?? '',
    user: state.ids.botUserId,
    bot_id: state.ids.botId,
    deleted: false,
    history: [],
  };
  if (threadTs !== undefined) stored.thread_ts = threadTs;
  if (content.blocks !== undefined) stored.blocks = content.blocks;
  if (content.attachments !== undefined) stored.attachments = content.attachments;
  if (metadata !== undefined) stored.metadata = metadata;
  state.messages.add(stored, 'chat.postMessage');
  return ok({ channel, ts: stored.ts, message: wireMessage(state, stored, true) });
}

/** chat.update: edits one of the bot's own messages. */
export function updateMessage(state: LocalSlackState, p: Record<string, unknown>): ApiAnswer {
  const channel = optionalString(p.channel);
  const ts = optionalString(p.ts);
  if (channel === undefined || channel === '') return fail('channel_not_found');
  const stored = ts === undefined ? undefined : state.messages.get(channel, ts);
  if (stored === undefined || stored.deleted) return fail('message_not_found');
  if (stored.user !== state.ids.botUserId) return fail('cant_update_message');
  const content = readContent('chat.update', p, state.unexpected);
  if ('error' in content) return content.error;
  if (isEmptyContent(content)) return fail('no_text');
  const metadata = readMetadata('chat.update', p.metadata, state.unexpected);
  if (metadata === null) return fail('invalid_metadata_format');
  if (metadata !== undefined) stored.metadata = metadata;
  state.messages.applyEdit(stored, content, 'chat.update');
  const message = wireMessage(state, stored, true);
  delete message.ts;
  delete message.thread_ts;
  return ok({ channel, ts: stored.ts, text: stored.text, message });
}

/** chat.postEphemeral: a message only `user` sees, recorded apart from the channel's messages. */
export function postEphemeral(state: LocalSlackState, p: Record<string, unknown>): ApiAnswer {
  const channel = optionalString(p.channel);
  if (channel === undefined || channel === '') return fail('channel_not_found');
  const user = optionalString(p.user);
  if (user === undefined || user === '') return fail('user_not_in_channel');
  const content = readContent('chat.postEphemeral', p, state.unexpected);
  if ('error' in content) return content.error;
  if (isEmptyContent(content)) return fail('no_text');
  const ephemeral: LocalSlackEphemeral = {
    channel,
    user,
    text: content.text ?? '',
    message_ts: state.messages.nextTs(),
    time: Date.now(),
  };
  if (content.blocks !== undefined) ephemeral.blocks = content.blocks;
  if (content.attachments !== undefined) ephemeral.attachments = content.attachments;
  const threadTs = optionalString(p.thread_ts);
  if (threadTs !== undefined) ephemeral.thread_ts = threadTs;
  state.ephemerals.push(ephemeral);
  return ok({ message_ts: ephemeral.message_ts });
}

/** conversations.replies: a thread's parent and replies, paged with Slack's cursors. */
export function threadReplies(state: LocalSlackState, p: Record<string, unknown>): ApiAnswer {
  const channel = optionalString(p.channel);
  const ts = optionalString(p.ts);
  if (channel === undefined || channel === '') return fail('channel_not_found');
  if (ts === undefined || ts === '') return fail('invalid_arguments');
  const root = state.messages.threadRoot(channel, ts) ?? ts;
  const all = state.messages
    .visible()
    .filter((m) => m.channel === channel && (m.ts === root || (m.thread_ts === root && m.ts !== root)));
  if (all.length === 0) return fail('thread_not_found');
  return messagePage(state, p, all, { defaultLimit: 1000, maxLimit: 1000, newestFirst: false });
}

/** conversations.history: a channel's top-level messages, newest first, paged with Slack's cursors. */
export function channelHistory(state: LocalSlackState, p: Record<string, unknown>): ApiAnswer {
  const channel = optionalString(p.channel);
  if (channel === undefined || channel === '') return fail('channel_not_found');
  const all = state.messages
    .visible()
    .filter((m) => m.channel === channel && (m.thread_ts === undefined || m.thread_ts === m.ts))
    .reverse();
  return messagePage(state, p, all, { defaultLimit: 100, maxLimit: 999, newestFirst: true, extra: { pin_count: 0 } });
}

/**
 * One page of `all` (in the order the method answers) as Slack pages it: `limit`, a `cursor` naming the
 * ts the page starts at, `has_more` and the next cursor; metadata only with `include_all_metadata`.
 */
function messagePage(
  state: LocalSlackState,
  p: Record<string, unknown>,
  all: StoredMessage[],
  o: { defaultLimit: number; maxLimit: number; newestFirst: boolean; extra?: Record<string, unknown> },
): ApiAnswer {
  const limit = Math.min(Math.max(toInt(p.limit) ?? o.defaultLimit, 1), o.maxLimit);
  let start = 0;
  const cursor = optionalString(p.cursor);
  if (cursor !== undefined && cursor !== '') {
    const from = decodeCursor(cursor);
    if (from === undefined) return fail('invalid_cursor');
    start = all.findIndex((m) => (o.newestFirst ? compareTs(m.ts, from) <= 0 : compareTs(m.ts, from) >= 0));
    if (start < 0) start = all.length;
  }
  const includeMetadata = isTrue(p.include_all_metadata);
  const page = all.slice(start, start + limit);
  const next = all[start + limit];
  return ok({
    messages: page.map((m) => wireMessage(state, m, includeMetadata)),
    has_more: next !== undefined,
    ...o.extra,
    response_metadata: { next_cursor: next === undefined ? '' : encodeCursor(next.ts) },
  });
}
