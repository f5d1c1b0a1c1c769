import type { IncomingMessage, ServerResponse } from 'node:http';
import { blockKitProblems } from './block-kit-limits';
import { textOf } from './block-text';
import { SlackWorkspaceFiles, type SlackWorkspaceFile } from './slack-workspace-files';
import { headerValue, listenLocal, readBody, readBuffer, sendJson, type LocalServer } from './local-http';
import { pollUntil, type PollOptions } from './poll-until';
import { DEFAULT_SLACK_IDS } from './slack-ids';
import { compareTs, decodeCursor, encodeCursor, fail, isRecord, isTrue, ok, oneLine, parseParams, randomId, str, toInt, type ApiAnswer } from './slack-api-wire';

import type {
  SlackBlock,
  SlackMessageMetadata,
  SlackWorkspace,
  SlackWorkspaceCall,
  SlackWorkspaceEphemeral,
  SlackWorkspaceFault,
  SlackWorkspaceMessage,
  SlackWorkspaceMessageVersion,
  SlackWorkspaceOptions,
  SlackWorkspacePublishedView,
  SlackWorkspaceResponse,
  WorkspaceUserMessageInput,
} from './slack-workspace';

export { textOf, type HasSlackText } from './block-text';
export type { SlackWorkspaceFile } from './slack-workspace-files';
export type * from './slack-workspace';

/**
 * Starts the workspace on 127.0.0.1 with a random port: the fake Slack of the end-to-end tests and the
 * server behind the demo's page.
 */
export async function startSlackWorkspace(opts: SlackWorkspaceOptions = {}): Promise<SlackWorkspace> {
  const fake = new SlackWorkspaceServer(opts);
  await fake.listen();
  return fake;
}

interface StoredMessage extends SlackWorkspaceMessage {
  deleted: boolean;
}

type ApiHandler = (params: Record<string, unknown>) => ApiAnswer;

const FIRST_TS_MICROS = 1_700_000_000_000_000;
const MAX_TEXT_LENGTH = 40_000;

class SlackWorkspaceServer implements SlackWorkspace {
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly appId: string;
  readonly calls: SlackWorkspaceCall[] = [];
  readonly unexpected: string[] = [];
  readonly ephemerals: SlackWorkspaceEphemeral[] = [];
  readonly responses: SlackWorkspaceResponse[] = [];
  readonly published: SlackWorkspacePublishedView[] = [];

  private server: LocalServer | undefined;
  private readonly extraRoutes: SlackWorkspaceOptions['extraRoutes'];
  private readonly port: number;
  private readonly host: string;
  private tsSequence = 0;
  private readonly messages = new Map<string, StoredMessage>();
  private readonly faults = new Map<string, SlackWorkspaceFault[]>();
  private readonly responseTargets = new Map<string, { channel: string; ts: string }>();
  private readonly fileStore = new SlackWorkspaceFiles();
  private readonly handlers: Record<string, ApiHandler> = {
    'auth.test': () => this.authTest(),
    'chat.postMessage': (p) => this.postMessage(p),
    'chat.update': (p) => this.update(p),
    'chat.postEphemeral': (p) => this.postEphemeral(p),
    'conversations.replies': (p) => this.replies(p),
    'views.publish': (p) => this.publishView(p),
    'files.getUploadURLExternal': (p) => this.getUploadUrl(p),
    'files.completeUploadExternal': (p) => this.completeUpload(p),
  };

  constructor(opts: SlackWorkspaceOptions) {
    this.botUserId = opts.botUserId ?? DEFAULT_SLACK_IDS.botUserId;
    this.botId = opts.botId ?? DEFAULT_SLACK_IDS.botId;
    this.teamId = opts.teamId ?? DEFAULT_SLACK_IDS.teamId;
    this.appId = opts.appId ?? DEFAULT_SLACK_IDS.appId;
    this.extraRoutes = opts.extraRoutes;
    this.port = opts.port ?? 0;
    this.host = opts.host ?? '127.0.0.1';
  }

  async listen(): Promise<void> {
    this.server = await listenLocal(
      (req, res) => this.route(req, res),
      (error) => this.unexpected.push(`fake Slack crashed: ${error instanceof Error ? error.stack : String(error)}`),
      this.port,
      this.host,
    );
  }

  get apiUrl(): string {
    return `${this.origin}/api/`;
  }

  responseUrl(name: string, original?: { channel: string; ts: string }): string {
    if (original !== undefined) {
      this.responseTargets.set(name, original);
    }
    return `${this.origin}/response/${encodeURIComponent(name)}`;
  }

  failNext(method: string, fault: SlackWorkspaceFault): void {
    const queue = this.faults.get(method) ?? [];
    queue.push(fault);
    this.faults.set(method, queue);
  }

  get files(): readonly SlackWorkspaceFile[] {
    return this.fileStore.files;
  }

  callsTo(method: string): SlackWorkspaceCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  channelMessages(channel: string): SlackWorkspaceMessage[] {
    return this.visible()
      .filter((m) => m.channel === channel && (m.thread_ts === undefined || m.thread_ts === m.ts))
      .map(publicCopy);
  }

  thread(channel: string, ts: string): SlackWorkspaceMessage[] {
    return this.visible()
      .filter((m) => m.channel === channel && m.thread_ts === ts && m.ts !== ts)
      .map(publicCopy);
  }

  message(channel: string, ts: string): SlackWorkspaceMessage | undefined {
    const found = this.messages.get(key(channel, ts));
    return found === undefined || found.deleted ? undefined : publicCopy(found);
  }

  addUserMessage(input: WorkspaceUserMessageInput): SlackWorkspaceMessage {
    const stored: StoredMessage = {
      type: 'message',
      channel: input.channel,
      ts: this.nextTs(),
      text: input.text,
      user: input.user,
      deleted: false,
      history: [],
    };
    if (input.thread_ts !== undefined) stored.thread_ts = input.thread_ts;
    if (input.blocks !== undefined) stored.blocks = input.blocks;
    stored.history.push(versionOf(stored, 'addUserMessage'));
    this.messages.set(key(stored.channel, stored.ts), stored);
    return publicCopy(stored);
  }

  waitFor<T>(predicate: () => T | undefined | false | null, options: PollOptions = {}): Promise<T> {
    return pollUntil(predicate, options, () => this.dump());
  }

  dump(): string {
    const lines = ['--- fake Slack state ---'];
    const channels = [...new Set(this.visible().map((m) => m.channel))];
    if (channels.length === 0) {
      lines.push('(no messages)');
    }
    for (const channel of channels) {
      lines.push(`#${channel}`);
      for (const top of this.channelMessages(channel)) {
        lines.push(`  [${top.ts}] ${top.user}: ${oneLine(textOf(top))}`);
        for (const reply of this.thread(channel, top.ts)) {
          const files = reply.files?.length ? ` [files: ${reply.files.map((f) => f.name).join(', ')}]` : '';
          lines.push(`      ↳ [${reply.ts}] ${reply.user}: ${oneLine(textOf(reply))}${files}`);
        }
      }
      const orphans = this.visible().filter(
        (m) => m.channel === channel && m.thread_ts !== undefined && !this.messages.has(key(channel, m.thread_ts)),
      );
      for (const orphan of orphans) {
        lines.push(`  (reply to unknown ${orphan.thread_ts}) [${orphan.ts}] ${orphan.user}: ${oneLine(textOf(orphan))}`);
      }
    }
    if (this.ephemerals.length > 0) {
      lines.push('ephemerals:');
      for (const e of this.ephemerals) {
        lines.push(`  #${e.channel} to ${e.user}: ${oneLine(textOf(e))}`);
      }
    }
    if (this.responses.length > 0) {
      lines.push('response_url posts:');
      for (const r of this.responses) {
        const flags = [r.response_type, r.replace_original ? 'replace_original' : '', r.delete_original ? 'delete_original' : '']
          .filter(Boolean)
          .join(',');
        lines.push(`  ${r.name}${flags ? ` (${flags})` : ''}: ${oneLine(textOf(r))}`);
      }
    }
    if (this.unexpected.length > 0) {
      lines.push('unexpected:', ...this.unexpected.map((u) => `  ${u}`));
    }
    return lines.join('\n');
  }

  assertNoUnexpected(): void {
    if (this.unexpected.length > 0) {
      throw new Error(`Fake Slack received unexpected requests:\n${this.unexpected.map((u) => `  - ${u}`).join('\n')}`);
    }
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  private get origin(): string {
    if (this.server === undefined) {
      throw new Error('fake Slack is not listening');
    }
    return this.server.origin;
  }

  private visible(): StoredMessage[] {
    return [...this.messages.values()].filter((m) => !m.deleted).sort((a, b) => compareTs(a.ts, b.ts));
  }

  private nextTs(): string {
    this.tsSequence += 1;
    const micros = FIRST_TS_MICROS + this.tsSequence * 100;
    const seconds = Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  // ---------------------------------------------------------------- routing

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (this.extraRoutes !== undefined && (await this.extraRoutes(req, res, url))) return;
    if (url.pathname.startsWith('/upload/') && req.method === 'POST') {
      const answer = await this.fileStore.receive(url.pathname.slice('/upload/'.length), await readBuffer(req), headerValue(req, 'content-type') ?? '');
      if (answer.problem !== undefined) this.unexpected.push(answer.problem);
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.text);
      return;
    }
    const raw = await readBody(req);
    if (url.pathname.startsWith('/api/')) {
      await this.handleApi(req, res, url, raw);
      return;
    }
    if (url.pathname.startsWith('/response/') && req.method === 'POST') {
      this.handleResponseUrl(req, res, decodeURIComponent(url.pathname.slice('/response/'.length)), raw);
      return;
    }
    this.unexpected.push(`${req.method ?? '?'} ${url.pathname}`);
    sendJson(res, 404, { ok: false, error: 'unknown_method' });
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<void> {
    const method = url.pathname.slice('/api/'.length);
    const contentType = headerValue(req, 'content-type') ?? '';
    let params: Record<string, unknown>;
    try {
      params = { ...Object.fromEntries(url.searchParams), ...parseParams(raw, contentType) };
    } catch (error) {
      this.unexpected.push(`${method}: unreadable ${contentType} body (${(error as Error).message})`);
      params = {};
    }
    const authorization = headerValue(req, 'authorization');
    const token = authorization?.startsWith('Bearer ')
      ? authorization.slice('Bearer '.length)
      : typeof params.token === 'string'
        ? params.token
        : undefined;
    delete params.token;
    const call: SlackWorkspaceCall = { method, params, contentType, time: Date.now(), status: 200, ok: true };
    if (token !== undefined) call.token = token;
    this.calls.push(call);

    const answer = this.answerApi(method, req.method ?? '', params, token);
    call.status = answer.status;
    call.ok = answer.body.ok === true;
    if (typeof answer.body.error === 'string') call.error = answer.body.error;
    sendJson(res, answer.status, answer.body, answer.headers);
  }

  private answerApi(method: string, httpMethod: string, params: Record<string, unknown>, token: string | undefined): ApiAnswer {
    const handler = Object.hasOwn(this.handlers, method) ? this.handlers[method] : undefined;
    if (handler === undefined || httpMethod !== 'POST') {
      this.unexpected.push(`${httpMethod} /api/${method}`);
      return { status: 404, body: { ok: false, error: 'unknown_method', req_method: method } };
    }
    if (token === undefined || token === '') {
      this.unexpected.push(`${method} called without a token`);
      return fail('not_authed');
    }
    const fault = this.faults.get(method)?.shift();
    if (fault !== undefined) {
      if ('status' in fault) {
        return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(fault.retryAfter) } };
      }
      return fail(fault.error);
    }
    return handler(params);
  }

  private handleResponseUrl(req: IncomingMessage, res: ServerResponse, name: string, raw: string): void {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    if (!isRecord(body)) {
      this.unexpected.push(`response_url ${name}: body is not a JSON object (${headerValue(req, 'content-type') ?? 'no content-type'})`);
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('invalid_payload');
      return;
    }
    const response: SlackWorkspaceResponse = { name, body, time: Date.now() };
    if (typeof body.text === 'string') response.text = body.text;
    if (Array.isArray(body.blocks)) response.blocks = body.blocks as SlackBlock[];
    if (Array.isArray(body.attachments)) response.attachments = body.attachments as SlackBlock[];
    if (body.response_type === 'ephemeral' || body.response_type === 'in_channel') response.response_type = body.response_type;
    if (body.replace_original !== undefined) response.replace_original = isTrue(body.replace_original);
    if (body.delete_original !== undefined) response.delete_original = isTrue(body.delete_original);
    if (typeof body.thread_ts === 'string') response.thread_ts = body.thread_ts;
    this.responses.push(response);

    const target = this.responseTargets.get(name);
    const original = target && this.messages.get(key(target.channel, target.ts));
    if (original !== undefined && !original.deleted) {
      if (response.delete_original === true) {
        original.deleted = true;
      } else if (response.replace_original === true) {
        this.applyEdit(original, { text: response.text ?? '', blocks: response.blocks, attachments: response.attachments }, 'response_url');
      }
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('ok');
  }

  // ---------------------------------------------------------------- methods

  private authTest(): ApiAnswer {
    return ok({
      url: 'https://test-team.slack.com/',
      team: 'Test Team',
      user: 'infra-bot',
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    });
  }

  private postMessage(p: Record<string, unknown>): ApiAnswer {
    const channel = str(p.channel);
    if (channel === undefined || channel === '') return fail('channel_not_found');
    const content = this.readContent('chat.postMessage', p);
    if ('error' in content) return content.error;
    if (content.text === undefined && content.blocks === undefined && content.attachments === undefined) {
      return fail('no_text');
    }
    const metadata = this.readMetadata('chat.postMessage', p.metadata);
    if (metadata === null) return fail('invalid_metadata_format');

    const threadTs = this.threadRoot(channel, str(p.thread_ts));
    const stored: StoredMessage = {
      type: 'message',
      channel,
      ts: this.nextTs(),
      text: content.text ?? '',
      user: this.botUserId,
      bot_id: this.botId,
      deleted: false,
      history: [],
    };
    if (threadTs !== undefined) stored.thread_ts = threadTs;
    if (content.blocks !== undefined) stored.blocks = content.blocks;
    if (content.attachments !== undefined) stored.attachments = content.attachments;
    if (metadata !== undefined) stored.metadata = metadata;
    stored.history.push(versionOf(stored, 'chat.postMessage'));
    this.messages.set(key(channel, stored.ts), stored);
    return ok({ channel, ts: stored.ts, message: this.wire(stored, true) });
  }

  private update(p: Record<string, unknown>): ApiAnswer {
    const channel = str(p.channel);
    const ts = str(p.ts);
    if (channel === undefined || channel === '') return fail('channel_not_found');
    const stored = ts === undefined ? undefined : this.messages.get(key(channel, ts));
    if (stored === undefined || stored.deleted) return fail('message_not_found');
    if (stored.user !== this.botUserId) return fail('cant_update_message');
    const content = this.readContent('chat.update', p);
    if ('error' in content) return content.error;
    if (content.text === undefined && content.blocks === undefined && content.attachments === undefined) {
      return fail('no_text');
    }
    const metadata = this.readMetadata('chat.update', p.metadata);
    if (metadata === null) return fail('invalid_metadata_format');
    if (metadata !== undefined) stored.metadata = metadata;
    this.applyEdit(stored, content, 'chat.update');
    const message = this.wire(stored, true);
    delete message.ts;
    delete message.thread_ts;
    return ok({ channel, ts: stored.ts, text: stored.text, message });
  }

  private getUploadUrl(p: Record<string, unknown>): ApiAnswer {
    const answer = this.fileStore.getUploadUrl(p, this.origin);
    return answer.ok ? ok(answer.body) : fail(answer.error);
  }

  /** Shares the uploaded files: in a channel or thread, Slack posts a message from the bot that carries them. */
  private completeUpload(p: Record<string, unknown>): ApiAnswer {
    const answer = this.fileStore.complete(p);
    if (!answer.ok) return fail(answer.error);
    const channel = str(p.channel_id);
    if (channel !== undefined && channel !== '' && answer.shared !== undefined) {
      const threadTs = this.threadRoot(channel, str(p.thread_ts));
      const stored: StoredMessage = {
        type: 'message',
        channel,
        ts: this.nextTs(),
        text: str(p.initial_comment) ?? '',
        user: this.botUserId,
        bot_id: this.botId,
        deleted: false,
        history: [],
        files: answer.shared.map((f) => ({ id: f.id, name: f.filename, title: f.title ?? f.filename })),
      };
      if (threadTs !== undefined) stored.thread_ts = threadTs;
      stored.history.push(versionOf(stored, 'chat.postMessage'));
      this.messages.set(key(channel, stored.ts), stored);
      for (const f of answer.shared) f.messageTs = stored.ts;
    }
    return ok(answer.body);
  }

  private postEphemeral(p: Record<string, unknown>): ApiAnswer {
    const channel = str(p.channel);
    if (channel === undefined || channel === '') return fail('channel_not_found');
    const user = str(p.user);
    if (user === undefined || user === '') return fail('user_not_in_channel');
    const content = this.readContent('chat.postEphemeral', p);
    if ('error' in content) return content.error;
    if (content.text === undefined && content.blocks === undefined && content.attachments === undefined) {
      return fail('no_text');
    }
    const ephemeral: SlackWorkspaceEphemeral = {
      channel,
      user,
      text: content.text ?? '',
      message_ts: this.nextTs(),
      time: Date.now(),
    };
    if (content.blocks !== undefined) ephemeral.blocks = content.blocks;
    if (content.attachments !== undefined) ephemeral.attachments = content.attachments;
    const threadTs = str(p.thread_ts);
    if (threadTs !== undefined) ephemeral.thread_ts = threadTs;
    this.ephemerals.push(ephemeral);
    return ok({ message_ts: ephemeral.message_ts });
  }

  private replies(p: Record<string, unknown>): ApiAnswer {
    const channel = str(p.channel);
    const ts = str(p.ts);
    if (channel === undefined || channel === '') return fail('channel_not_found');
    if (ts === undefined || ts === '') return fail('invalid_arguments');
    const root = this.threadRoot(channel, ts) ?? ts;
    const all = this.visible().filter(
      (m) => m.channel === channel && (m.ts === root || (m.thread_ts === root && m.ts !== root)),
    );
    if (all.length === 0) return fail('thread_not_found');
    const limit = Math.min(Math.max(toInt(p.limit) ?? 1000, 1), 1000);
    let start = 0;
    const cursor = str(p.cursor);
    if (cursor !== undefined && cursor !== '') {
      const from = decodeCursor(cursor);
      if (from === undefined) return fail('invalid_cursor');
      start = all.findIndex((m) => compareTs(m.ts, from) >= 0);
      if (start < 0) start = all.length;
    }
    const includeMetadata = isTrue(p.include_all_metadata);
    const page = all.slice(start, start + limit);
    const next = all[start + limit];
    return ok({
      messages: page.map((m) => this.wire(m, includeMetadata)),
      has_more: next !== undefined,
      response_metadata: { next_cursor: next === undefined ? '' : encodeCursor(next.ts) },
    });
  }

  private publishView(p: Record<string, unknown>): ApiAnswer {
    const userId = str(p.user_id);
    if (userId === undefined || userId === '') return fail('invalid_arguments');
    const view = p.view;
    if (!isRecord(view)) {
      this.unexpected.push(`views.publish: view is not a JSON object`);
      return fail('invalid_arguments');
    }
    const problems = view.blocks === undefined ? [] : blockKitProblems(view.blocks, 100, '/view/blocks');
    if (view.type !== 'home') problems.push('must be home [json-pointer:/view/type]');
    if (problems.length > 0) {
      this.unexpected.push(`views.publish: invalid view: ${problems.join('; ')}`);
      return fail('invalid_arguments', { response_metadata: { messages: problems.map((m) => `[ERROR] ${m}`) } });
    }
    const viewId = `V${randomId(10)}`;
    const answered: Record<string, unknown> = {
      id: viewId,
      team_id: this.teamId,
      type: 'home',
      blocks: [],
      private_metadata: '',
      callback_id: '',
      state: { values: {} },
      hash: `${Math.floor(Date.now() / 1000)}.${randomId(8)}`,
      title: { type: 'plain_text', text: 'View Title', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: viewId,
      app_id: this.appId,
      external_id: '',
      app_installed_team_id: this.teamId,
      bot_id: this.botId,
      ...view,
    };
    answered.id = viewId;
    this.published.push({ user_id: userId, view_id: viewId, view: answered, time: Date.now() });
    return ok({ view: answered });
  }

  // ---------------------------------------------------------------- helpers

  /** Reads text/blocks/attachments, refusing what Slack refuses. */
  private readContent(
    method: string,
    p: Record<string, unknown>,
  ): { text?: string; blocks?: SlackBlock[]; attachments?: SlackBlock[] } | { error: ApiAnswer } {
    const result: { text?: string; blocks?: SlackBlock[]; attachments?: SlackBlock[] } = {};
    const text = str(p.text);
    if (text !== undefined) {
      if (text.length > MAX_TEXT_LENGTH) return { error: fail('msg_too_long') };
      result.text = text;
    }
    if (p.blocks !== undefined) {
      if (!Array.isArray(p.blocks)) {
        this.unexpected.push(`${method}: blocks is not a JSON array`);
        return { error: fail('invalid_blocks_format') };
      }
      const problems = blockKitProblems(p.blocks, 50);
      if (problems.length > 0) {
        this.unexpected.push(`${method}: invalid_blocks: ${problems.join('; ')}`);
        return {
          error: fail('invalid_blocks', {
            errors: problems,
            response_metadata: { messages: problems.map((m) => `[ERROR] ${m}`) },
          }),
        };
      }
      result.blocks = p.blocks as SlackBlock[];
    }
    if (p.attachments !== undefined) {
      if (!Array.isArray(p.attachments)) {
        this.unexpected.push(`${method}: attachments is not a JSON array`);
        return { error: fail('invalid_attachments') };
      }
      result.attachments = p.attachments as SlackBlock[];
    }
    return result;
  }

  /** undefined when absent, null when malformed (Slack answers invalid_metadata_format). */
  private readMetadata(method: string, value: unknown): SlackMessageMetadata | undefined | null {
    if (value === undefined) return undefined;
    if (isRecord(value) && typeof value.event_type === 'string' && isRecord(value.event_payload)) {
      return { event_type: value.event_type, event_payload: value.event_payload };
    }
    this.unexpected.push(`${method}: metadata must be {event_type: string, event_payload: object}`);
    return null;
  }

  /** The parent ts a reply belongs under: replying to a reply lands in its parent's thread. */
  private threadRoot(channel: string, threadTs: string | undefined): string | undefined {
    if (threadTs === undefined || threadTs === '') return undefined;
    const target = this.messages.get(key(channel, threadTs));
    return target?.thread_ts ?? threadTs;
  }

  private applyEdit(
    stored: StoredMessage,
    content: { text?: string; blocks?: SlackBlock[] | undefined; attachments?: SlackBlock[] | undefined },
    via: SlackWorkspaceMessageVersion['via'],
  ): void {
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

  /** A message as Slack serialises it in API answers. */
  private wire(m: StoredMessage, includeMetadata: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = { user: m.user, type: 'message', ts: m.ts };
    if (m.bot_id !== undefined) {
      out.bot_id = m.bot_id;
      out.app_id = this.appId;
    }
    out.text = m.text;
    out.team = this.teamId;
    if (m.bot_id !== undefined) {
      out.bot_profile = {
        id: m.bot_id,
        app_id: this.appId,
        name: 'infra-bot',
        icons: { image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png' },
        deleted: false,
        updated: 1_700_000_000,
        team_id: this.teamId,
      };
    }
    if (m.edited !== undefined) out.edited = { ...m.edited };
    if (m.blocks !== undefined) out.blocks = m.blocks;
    if (m.attachments !== undefined) out.attachments = m.attachments;
    if (m.files !== undefined) out.files = m.files;
    if (m.thread_ts !== undefined && m.thread_ts !== m.ts) {
      out.thread_ts = m.thread_ts;
      const parent = this.messages.get(key(m.channel, m.thread_ts));
      if (parent !== undefined) out.parent_user_id = parent.user;
    } else {
      const replies = this.visible().filter((r) => r.channel === m.channel && r.thread_ts === m.ts && r.ts !== m.ts);
      const latest = replies[replies.length - 1];
      if (latest !== undefined) {
        const users = [...new Set(replies.map((r) => r.user))];
        Object.assign(out, {
          thread_ts: m.ts,
          reply_count: replies.length,
          reply_users_count: users.length,
          latest_reply: latest.ts,
          reply_users: users,
          is_locked: false,
          subscribed: false,
        });
      }
    }
    if (includeMetadata && m.metadata !== undefined) out.metadata = m.metadata;
    return out;
  }
}

function versionOf(m: SlackWorkspaceMessage, via: SlackWorkspaceMessageVersion['via']): SlackWorkspaceMessageVersion {
  const version: SlackWorkspaceMessageVersion = { via, text: m.text };
  if (m.blocks !== undefined) version.blocks = m.blocks;
  if (m.attachments !== undefined) version.attachments = m.attachments;
  if (m.metadata !== undefined) version.metadata = m.metadata;
  return version;
}

function publicCopy(m: StoredMessage): SlackWorkspaceMessage {
  const { deleted: _deleted, ...rest } = m;
  return structuredClone(rest);
}

function key(channel: string, ts: string): string {
  return `${channel}\u0000${ts}`;
}
