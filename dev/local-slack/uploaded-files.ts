import { randomBytes } from 'node:crypto';

/** A file uploaded through files.uploadV2's three calls, as the fake Slack holds it. */
export interface UploadedFile {
  id: string;
  filename: string;
  /** The `length` declared to files.getUploadURLExternal. */
  length: number;
  title?: string;
  /** The bytes posted to the upload URL; undefined until then. */
  bytes?: Buffer;
  /** Set by files.completeUploadExternal when the file was shared. */
  channel?: string;
  threadTs?: string;
  initialComment?: string;
  /** ts of the message that shares the file, when shared. */
  messageTs?: string;
}

type Answer = { ok: true; body: Record<string, unknown> } | { ok: false; error: string };

/**
 * The file side of the fake Slack: files.getUploadURLExternal hands out an upload URL, the bytes are
 * posted there as multipart form data (field `body`, as @slack/web-api sends them), and
 * files.completeUploadExternal shares the uploaded files in a channel or thread.
 */
export class UploadedFiles {
  readonly files: UploadedFile[] = [];

  /** files.getUploadURLExternal: `filename` and `length` are required, as Slack requires them. */
  getUploadUrl(p: Record<string, unknown>, origin: string): Answer {
    const filename = typeof p.filename === 'string' ? p.filename : '';
    const length = Number(p.length);
    if (filename === '') return { ok: false, error: 'invalid_arguments' };
    if (!Number.isInteger(length) || length < 0) return { ok: false, error: 'invalid_arguments' };
    const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
    this.files.push({ id, filename, length });
    return { ok: true, body: { upload_url: `${origin}/upload/${id}`, file_id: id } };
  }

  /** The upload URL: a multipart body whose `body` part holds the file. Answers like files.slack.com. */
  async receive(
    id: string,
    raw: Buffer,
    contentType: string,
  ): Promise<{ status: number; text: string; problem?: string }> {
    const file = this.files.find((f) => f.id === id);
    if (file === undefined) return { status: 404, text: 'not found', problem: `upload to unknown file ${id}` };
    let bytes: Buffer;
    if (contentType.toLowerCase().startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
      const part = form.get('body') ?? form.get('file');
      if (part === null) return { status: 400, text: 'missing file', problem: `upload of ${id} has no "body" part` };
      bytes = typeof part === 'string' ? Buffer.from(part) : Buffer.from(await part.arrayBuffer());
    } else {
      bytes = raw;
    }
    if (bytes.length !== file.length) {
      return {
        status: 400,
        text: 'length mismatch',
        problem: `upload of ${id}: ${bytes.length} bytes, declared ${file.length}`,
      };
    }
    file.bytes = bytes;
    return { status: 200, text: `OK - ${bytes.length}` };
  }

  /**
   * files.completeUploadExternal: every file must have been uploaded. Returns the files to share so the
   * fake can post the sharing message.
   */
  complete(p: Record<string, unknown>): Answer & { shared?: UploadedFile[] } {
    let list: unknown;
    try {
      list = typeof p.files === 'string' ? JSON.parse(p.files) : p.files;
    } catch {
      return { ok: false, error: 'invalid_arguments' };
    }
    if (!Array.isArray(list) || list.length === 0) return { ok: false, error: 'invalid_arguments' };
    const shared: UploadedFile[] = [];
    for (const entry of list as Array<Record<string, unknown>>) {
      const file = this.files.find((f) => f.id === entry.id);
      if (file === undefined || file.bytes === undefined) return { ok: false, error: 'file_not_found' };
      if (typeof entry.title === 'string') file.title = entry.title;
      if (typeof p.channel_id === 'string' && p.channel_id !== '') file.channel = p.channel_id;
      if (typeof p.thread_ts === 'string' && p.thread_ts !== '') file.threadTs = p.thread_ts;
      if (typeof p.initial_comment === 'string') file.initialComment = p.initial_comment;
      shared.push(file);
    }
    const body = {
      files: shared.map((f) => ({ id: f.id, name: f.filename, title: f.title ?? f.filename, size: f.length })),
    };
    return { ok: true, body, shared };
  }
}
