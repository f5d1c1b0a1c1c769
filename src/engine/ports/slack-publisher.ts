import type { SlackMessage } from '../../domain/message';

/**
 * Which message goes first when a channel is at Slack's rate: `interactive` is what a person waits for
 * (a step's `[i/n] Invoking`, a gate, a question), `normal` the rest of the thread, `background` an
 * edit nobody waits for (progress, the root's bar). Without a hint the publisher infers it.
 */
export type DeliveryPriority = 'interactive' | 'normal' | 'background';

/** Optional hints of a call; the publisher behaves the same without them. */
export interface DeliveryHint {
  priority?: DeliveryPriority;
  /**
   * False for an edit nobody waits on (a root's progress bar mid-workflow): the call returns once the
   * edit is queued, a later edit of the same message replaces it while it waits, and a failure is
   * logged. Default true: the promise settles when Slack has answered.
   */
  wait?: boolean;
}

/**
 * Posts that must not be repeated, and the other calls the engine makes to Slack. Calls are spaced to
 * Slack's rate limits (they may wait for a slot); each promise settles when Slack has answered.
 */
export interface SlackPublisher {
  /** Posts once per key, however often it is called; returns the message's ts. */
  post(
    key: string,
    target: { channel: string; threadTs?: string },
    message: SlackMessage,
    hint?: DeliveryHint,
  ): Promise<string>;
  /**
   * Edits a message. Edits of one message that wait for a slot are coalesced: only the latest content
   * is sent, and each caller's promise settles when Slack has that content.
   */
  update(channel: string, ts: string, message: SlackMessage, hint?: DeliveryHint): Promise<void>;
  ephemeral(channel: string, user: string, message: SlackMessage, threadTs?: string): Promise<void>;
  /** Uploads a file into a channel or thread once per key (files.uploadV2); returns the file's id. */
  uploadFile(key: string, target: { channel: string; threadTs?: string }, file: SlackFile): Promise<string>;
  /**
   * Uploads several files as one share (one message, files.getUploadURLExternal for each, then one
   * files.completeUploadExternal), once per key; returns the first file's id.
   */
  uploadFiles(key: string, target: { channel: string; threadTs?: string }, files: SlackFile[]): Promise<string>;
}

/** A file to attach: long SQL, reports and charts go here instead of into a section. */
export interface SlackFile {
  filename: string;
  content: string | Buffer;
  title?: string;
  /** Text of the message that shares the file. */
  comment?: string;
}
