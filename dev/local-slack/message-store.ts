import { compareTs } from './slack-api-wire';
import type { SlackBlock, LocalSlackMessage, LocalSlackMessageVersion } from './local-slack';

/** A message as the local Slack keeps it: deleted ones stay, hidden, so a late edit of one still fails. */
export interface StoredMessage extends LocalSlackMessage {
  deleted: boolean;
}

/** The fields a post or an edit sets; an absent field is left as it is by an edit. */
export interface MessageContent {
  text?: string;
  blocks?: SlackBlock[] | undefined;
  attachments?: SlackBlock[] | undefined;
}

const FIRST_TS_MICROS = 1_700_000_000_000_000;

/** Every channel's messages and threads, with Slack's ts, thread and edit rules. */
export class MessageStore {
  private tsSequence = 0;
  private readonly messages = new Map<string, StoredMessage>();

  /** `botUserId` signs the edits the bot makes. */
  constructor(private readonly botUserId: string) {}

  /** A new, strictly increasing ts in Slack's `seconds.micros` form. */
  nextTs(): string {
    this.tsSequence += 1;
    const micros = FIRST_TS_MICROS + this.tsSequence * 100;
    const seconds = Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  /** Stores a new message, recording its first version as made `via`. */
  add(stored: StoredMessage, via: LocalSlackMessageVersion['via']): void {
    stored.history.push(versionOf(stored, via));
    this.messages.set(key(stored.channel, stored.ts), stored);
  }

  /** The stored message, deleted or not. */
  get(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.get(key(channel, ts));
  }

  /** Messages not deleted, oldest first. */
  visible(): StoredMessage[] {
    return [...this.messages.values()].filter((m) => !m.deleted).sort((a, b) => compareTs(a.ts, b.ts));
  }

  /** Top-level messages of a channel, oldest first, as copies. */
  channelMessages(channel: string): LocalSlackMessage[] {
    return this.visible()
      .filter((m) => m.channel === channel && (m.thread_ts === undefined || m.thread_ts === m.ts))
      .map(publicCopy);
  }

  /** Replies under `ts` (parent excluded), oldest first, as copies. */
  thread(channel: string, ts: string): LocalSlackMessage[] {
    return this.visible()
      .filter((m) => m.channel === channel && m.thread_ts === ts && m.ts !== ts)
      .map(publicCopy);
  }

  /** One message as a copy; undefined if unknown or deleted. */
  message(channel: string, ts: string): LocalSlackMessage | undefined {
    const found = this.get(channel, ts);
    return found === undefined || found.deleted ? undefined : publicCopy(found);
  }

  /** The parent ts a reply belongs under: replying to a reply lands in its parent's thread. */
  threadRoot(channel: string, threadTs: string | undefined): string | undefined {
    if (threadTs === undefined || threadTs === '') return undefined;
    return this.get(channel, threadTs)?.thread_ts ?? threadTs;
  }

  /** Edits a message as the bot, as chat.update and a replacing response_url post do. */
  applyEdit(stored: StoredMessage, content: MessageContent, via: LocalSlackMessageVersion['via']): void {
    stored.text = content.text ?? '';
    // Slack keeps the previous blocks/attachments when the field is not sent; [] removes them.
    if (content.blocks !== undefined) {
      if (content.blocks.length === 0) delete stored.blocks;
      else stored.blocks = content.blocks;
    }
    if (content.attachments !== undefined) {
      if (content.attachments.length === 0) delete stored.attachments;
      else stored.attachments = content.attachments;
    }
    stored.edited = { user: this.botUserId, ts: this.nextTs() };
    const version = versionOf(stored, via);
    version.edited_ts = stored.edited.ts;
    stored.history.push(version);
  }
}

/** A copy callers may keep and change, without the store's own bookkeeping. */
export function publicCopy(m: StoredMessage): LocalSlackMessage {
  const { deleted: _deleted, ...rest } = m;
  return structuredClone(rest);
}

function versionOf(m: LocalSlackMessage, via: LocalSlackMessageVersion['via']): LocalSlackMessageVersion {
  const version: LocalSlackMessageVersion = { via, text: m.text };
  if (m.blocks !== undefined) version.blocks = m.blocks;
  if (m.attachments !== undefined) version.attachments = m.attachments;
  if (m.metadata !== undefined) version.metadata = m.metadata;
  return version;
}

function key(channel: string, ts: string): string {
  return `${channel}\u0000${ts}`;
}
