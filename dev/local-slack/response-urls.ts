import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerValue } from './local-http';
import { isRecord, isTrue } from './slack-api-wire';
import type { SlackBlock, LocalSlackResponse } from './local-slack';
import type { LocalSlackState } from './local-slack-state';

/**
 * The response_url endpoints: each post is recorded, and when the URL was handed out for a message,
 * `replace_original` and `delete_original` edit or delete it, as Slack does.
 */
export class ResponseUrls {
  private readonly targets = new Map<string, { channel: string; ts: string }>();

  constructor(private readonly state: LocalSlackState) {}

  /** The URL for `name`, tied to `original` when given. */
  url(name: string, original?: { channel: string; ts: string }): string {
    if (original !== undefined) {
      this.targets.set(name, original);
    }
    return `${this.state.origin}/response/${encodeURIComponent(name)}`;
  }

  /** Answers a POST to /response/<name>, whose body is `raw`. */
  receive(req: IncomingMessage, res: ServerResponse, name: string, raw: string): void {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    if (!isRecord(body)) {
      this.state.unexpected.push(
        `response_url ${name}: body is not a JSON object (${headerValue(req, 'content-type') ?? 'no content-type'})`,
      );
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('invalid_payload');
      return;
    }
    const response: LocalSlackResponse = { name, body, time: Date.now() };
    if (typeof body.text === 'string') response.text = body.text;
    if (Array.isArray(body.blocks)) response.blocks = body.blocks as SlackBlock[];
    if (Array.isArray(body.attachments)) response.attachments = body.attachments as SlackBlock[];
    if (body.response_type === 'ephemeral' || body.response_type === 'in_channel')
      response.response_type = body.response_type;
    if (body.replace_original !== undefined) response.replace_original = isTrue(body.replace_original);
    if (body.delete_original !== undefined) response.delete_original = isTrue(body.delete_original);
    if (typeof body.thread_ts === 'string') response.thread_ts = body.thread_ts;
    this.state.responses.push(response);

    const target = this.targets.get(name);
    const original = target && this.state.messages.get(target.channel, target.ts);
    if (original !== undefined && !original.deleted) {
      if (response.delete_original === true) {
        original.deleted = true;
      } else if (response.replace_original === true) {
        this.state.messages.applyEdit(
          original,
          { text: response.text ?? '', blocks: response.blocks, attachments: response.attachments },
          'response_url',
        );
      }
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('ok');
  }
}
