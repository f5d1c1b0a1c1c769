import type { LocalSlack, LocalSlackMessage } from './local-slack';

/** Someone the page can act as. */
export interface PagePerson {
  id: string;
  name: string;
  /** Shown beside the name, e.g. "requester", "approver", "not allowed". */
  role: string;
}

/** A message only one user sees: an ack, a response_url post or a chat.postEphemeral. */
export interface PrivateNote {
  user: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  time: number;
}

/** A message as the page draws it. */
export interface PageMessage {
  ts: string;
  user: string;
  isBot: boolean;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  files?: Array<{ id: string; name: string; title: string }>;
  edited: boolean;
}

/** What the page shows to one user: the channel, every thread, and what only that user sees. */
export interface PageState {
  channel: { id: string; name: string };
  people: PagePerson[];
  suggestions: string[];
  /** Labels of the scheduled tasks the page can run now (e.g. the daily digest). */
  tasks: string[];
  bot: { id: string; name: string };
  messages: Array<PageMessage & { replies: PageMessage[] }>;
  private: PrivateNote[];
}

/** Builds the page's view of the local Slack for `user`; pure apart from reading the local Slack. */
export function pageState(
  slack: LocalSlack,
  options: {
    channel: { id: string; name: string };
    people: PagePerson[];
    suggestions: string[];
    tasks?: string[];
  },
  user: string,
  notes: readonly PrivateNote[],
  responseUsers: ReadonlyMap<string, string>,
): PageState {
  const channel = options.channel.id;
  const asPage = (m: LocalSlackMessage): PageMessage => ({
    ts: m.ts,
    user: m.user,
    isBot: m.bot_id !== undefined,
    text: m.text,
    blocks: m.blocks,
    attachments: m.attachments,
    files: m.files,
    edited: m.edited !== undefined,
  });
  const responses: PrivateNote[] = slack.responses
    .filter(
      (r) =>
        responseUsers.get(r.name) === user &&
        r.response_type !== 'in_channel' &&
        r.replace_original !== true &&
        r.delete_original !== true,
    )
    .map((r) => ({ user, text: r.text ?? '', blocks: r.blocks, threadTs: r.thread_ts, time: r.time }));
  const ephemerals: PrivateNote[] = slack.ephemerals
    .filter((e) => e.user === user && e.channel === channel)
    .map((e) => ({ user, text: e.text, blocks: e.blocks, threadTs: e.thread_ts, time: e.time }));
  return {
    channel: options.channel,
    people: options.people,
    suggestions: options.suggestions,
    tasks: options.tasks ?? [],
    bot: { id: slack.botUserId, name: 'infra' },
    messages: slack
      .channelMessages(channel)
      .map((m) => ({ ...asPage(m), replies: slack.thread(channel, m.ts).map(asPage) })),
    private: [...notes.filter((n) => n.user === user), ...responses, ...ephemerals].sort((a, b) => a.time - b.time),
  };
}
