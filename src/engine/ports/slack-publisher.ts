import type { SlackMessage } from '../../domain/message';

/** Posts that must not be repeated, and the other calls the engine makes to Slack. */
export interface SlackPublisher {
  /** Posts once per key, however often it is called; returns the message's ts. */
  post(key: string, target: { channel: string; threadTs?: string }, message: SlackMessage): Promise<string>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
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
