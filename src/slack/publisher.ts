import type { WebClient } from '@slack/web-api';
import type { Pool } from 'pg';
import { completeMessage, recordedIds, reserveMessage } from '../store/slack-messages-repo';
import type { SlackMessage } from '../domain/message';
import type { DeliveryHint, DeliveryPriority, SlackFile, SlackPublisher } from '../engine/ports/slack-publisher';
import type { DeliveryQueue } from './delivery/delivery-queue';
import type { Logger } from '../logger';

const METADATA_EVENT = 'infra_orchestrator_post';
/** Keys of the posts a person waits for: a step starting, a gate, a question, the answer to a click. */
const INTERACTIVE_KEY = /^(gate:|question:|step:\d+:progress$|wf:\d+:(rejected|reason-noted|cancelled)$)/;
/** How many gate messages' ts this process remembers, so edits of them go first too. */
const GATE_TS_KEPT = 5000;

/**
 * Idempotent posting: the key is reserved in Postgres, the message carries the key in its metadata,
 * and the ts is recorded after. A run that finds the key reserved but no ts (the previous run died
 * between posting and recording) looks for the message, in the thread or among the channel's latest,
 * before posting again; a first post looks for nothing. Posts,
 * edits and file shares wait for a slot of the delivery queue (src/slack/delivery/), so they keep to
 * Slack's rate limits, most urgent first.
 */
export class WebApiPublisher implements SlackPublisher {
  private readonly gateTs = new Set<string>();

  constructor(
    private readonly client: WebClient,
    private readonly pool: Pool,
    private readonly delivery: DeliveryQueue,
    private readonly logger?: Logger,
  ) {}

  async post(
    key: string,
    target: { channel: string; threadTs?: string },
    message: SlackMessage,
    hint?: DeliveryHint,
  ): Promise<string> {
    const ts = await this.postOnce(key, target, message, hint?.priority ?? postPriority(key));
    if (key.startsWith('gate:') && !key.includes(':override')) this.rememberGate(ts);
    return ts;
  }

  private async postOnce(
    key: string,
    target: { channel: string; threadTs?: string },
    message: SlackMessage,
    priority: DeliveryPriority,
  ): Promise<string> {
    const record = await reserveMessage(this.pool, key, target.channel);
    if (record.ts) return record.ts;
    // Reserved before but never recorded: the earlier run may have died after Slack took the post.
    if (!record.fresh) {
      const found = await this.findPosted(target, (m) => metadataKey(m) === key);
      if (found?.ts) {
        await completeMessage(this.pool, key, found.ts);
        return found.ts;
      }
    }
    const result = await this.delivery.post(target.channel, priority, () =>
      this.client.chat.postMessage({
        channel: target.channel,
        thread_ts: target.threadTs,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        metadata: { event_type: METADATA_EVENT, event_payload: { key } },
      }),
    );
    if (!result.ts) throw new Error(`Slack accepted the message ${key} but returned no ts`);
    await completeMessage(this.pool, key, result.ts);
    return result.ts;
  }

  async update(channel: string, ts: string, message: SlackMessage, hint?: DeliveryHint): Promise<void> {
    // Without a hint: a gate's message is what an approver waits for; the rest of a thread goes next.
    // Progress bars and live progress say 'background' themselves.
    const priority = hint?.priority ?? (this.gateTs.has(ts) ? 'interactive' : 'normal');
    const edit = async (latest: SlackMessage) => {
      await this.client.chat.update({ channel, ts, text: latest.text, blocks: latest.blocks });
    };
    const sent = this.delivery.update(ts, channel, priority, message, edit, { fold: hint?.wait === false });
    if (hint?.wait !== false) return sent;
    sent.catch((err: unknown) =>
      this.logger?.warn({ err: (err as Error).message, channel, ts }, 'a queued edit failed'),
    );
  }

  private rememberGate(ts: string): void {
    this.gateTs.add(ts);
    if (this.gateTs.size > GATE_TS_KEPT) this.gateTs.delete(this.gateTs.values().next().value!);
  }

  async ephemeral(channel: string, user: string, message: SlackMessage, threadTs?: string): Promise<void> {
    await this.delivery.ephemeral(channel, () =>
      this.client.chat.postEphemeral({
        channel,
        user,
        text: message.text,
        blocks: message.blocks,
        thread_ts: threadTs,
      }),
    );
  }

  /**
   * Like {@link post}, the key is reserved first and the file id recorded after. Slack keeps no metadata on
   * a file share, so a run that died between the upload and the record looks for a share of a file of the
   * same name there that no key has recorded, and records that one instead of uploading again.
   */
  async uploadFile(key: string, target: { channel: string; threadTs?: string }, file: SlackFile): Promise<string> {
    const record = await reserveMessage(this.pool, key, target.channel);
    if (record.ts) return record.ts;
    const shared = record.fresh ? undefined : await this.findSharedFile(key, target, [file.filename]);
    if (shared) return shared;
    const upload = {
      filename: file.filename,
      file: typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content,
      title: file.title ?? file.filename,
      ...(file.comment ? { initial_comment: file.comment } : {}),
    };
    const result = await this.delivery.share('normal', () =>
      target.threadTs
        ? this.client.filesUploadV2({ ...upload, channel_id: target.channel, thread_ts: target.threadTs })
        : this.client.filesUploadV2({ ...upload, channel_id: target.channel }),
    );
    const id = fileIdOf(result);
    if (!id) throw new Error(`Slack accepted the file ${file.filename} but returned no file id`);
    await completeMessage(this.pool, key, id);
    return id;
  }

  /** Like {@link uploadFile}, for several files shared in one message. */
  async uploadFiles(key: string, target: { channel: string; threadTs?: string }, files: SlackFile[]): Promise<string> {
    const record = await reserveMessage(this.pool, key, target.channel);
    if (record.ts) return record.ts;
    const names = files.map((f) => f.filename);
    const shared = record.fresh ? undefined : await this.findSharedFile(key, target, names);
    if (shared) return shared;
    const file_uploads = files.map((file) => ({
      filename: file.filename,
      file: typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content,
      title: file.title ?? file.filename,
    }));
    const result = await this.delivery.share('normal', () =>
      target.threadTs
        ? this.client.filesUploadV2({ file_uploads, channel_id: target.channel, thread_ts: target.threadTs })
        : this.client.filesUploadV2({ file_uploads, channel_id: target.channel }),
    );
    const id = fileIdOf(result);
    if (!id) throw new Error(`Slack accepted the files ${key} but returned no file id`);
    await completeMessage(this.pool, key, id);
    return id;
  }

  /**
   * The bot's share of a file named like `names` in the thread (or channel) whose file id no key has
   * recorded: the upload of a run that died before recording it. Recorded under `key` when found.
   */
  private async findSharedFile(
    key: string,
    target: { channel: string; threadTs?: string },
    names: string[],
  ): Promise<string | undefined> {
    const candidates: string[] = [];
    await this.findPosted(target, (m) => {
      const files = m.files ?? [];
      if (files.length === names.length && files.every((f, i) => f.name === names[i]) && files[0]?.id)
        candidates.push(files[0].id);
      return false;
    });
    const recorded = await recordedIds(this.pool, candidates);
    const id = candidates.find((c) => !recorded.has(c));
    if (id) await completeMessage(this.pool, key, id);
    return id;
  }

  /**
   * The first of the bot's messages in the thread (conversations.replies, every page) or, for a
   * top-level post, among the channel's latest (conversations.history, newest first, up to
   * {@link HISTORY_PAGES} pages) that `matches`.
   */
  private async findPosted(
    target: { channel: string; threadTs?: string },
    matches: (m: PostedMessage) => boolean,
  ): Promise<PostedMessage | undefined> {
    let cursor: string | undefined;
    for (let page = 0; target.threadTs || page < HISTORY_PAGES; page++) {
      const args = { channel: target.channel, include_all_metadata: true, limit: 200, cursor };
      const answer = target.threadTs
        ? await this.client.conversations.replies({ ...args, ts: target.threadTs })
        : await this.client.conversations.history(args);
      const found = (answer.messages as PostedMessage[] | undefined)?.find((m) => m.ts && matches(m));
      if (found) return found;
      cursor = answer.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    return undefined;
  }
}

/** The fields of a message from conversations.replies or conversations.history that the look-ups read. */
interface PostedMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: unknown };
  files?: Array<{ id?: string; name?: string }>;
}

/** Top-level posts are looked for among the channel's latest 5 × 200 messages. */
const HISTORY_PAGES = 5;

/** The idempotency key a message of this bot carries in its metadata. */
function metadataKey(m: PostedMessage): unknown {
  return m.metadata?.event_type === METADATA_EVENT ? (m.metadata.event_payload as { key?: unknown })?.key : undefined;
}

/** What a post without a hint is: what a person waits for goes before the rest of the thread. */
function postPriority(key: string): DeliveryPriority {
  return INTERACTIVE_KEY.test(key) ? 'interactive' : 'normal';
}

/** files.uploadV2 answers `{ files: [ { files: [ { id } ] } ] }`: one completion per shared message. */
function fileIdOf(result: unknown): string | undefined {
  const completions = (result as { files?: Array<{ files?: Array<{ id?: string }> }> }).files ?? [];
  return completions[0]?.files?.[0]?.id;
}
