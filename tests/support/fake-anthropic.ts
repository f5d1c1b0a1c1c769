import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Message, TextBlock, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages/messages';
import { type CacheUsage, FakePromptCache } from './fake-prompt-cache';
import { headerValue, listenLocal, readBody, sendJson, type LocalServer } from '../../dev/local-slack/local-http';
import { pollUntil, type PollOptions } from '../../dev/local-slack/poll-until';

/** A tool call the scripted model makes. */
export interface ScriptedToolUse {
  name: string;
  input: Record<string, unknown>;
  /** Defaults to a fresh `toolu_...` id. */
  id?: string;
}

/** The model calls tools: `stop_reason: 'tool_use'`; `text` becomes a text block before the tool_use block(s). */
export interface ToolUseReply {
  toolUse: ScriptedToolUse | ScriptedToolUse[];
  text?: string;
}

/** The model answers in prose; `stop_reason` defaults to 'end_turn'. */
export interface TextReply {
  text: string;
  stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'refusal';
}

/** An API error exactly as Anthropic sends it: 429 rate_limit_error, 529 overloaded_error, 500 api_error. */
export interface ErrorReply {
  status: 429 | 529 | 500;
  /** Seconds, sent as the `retry-after` header. */
  retryAfter?: number;
  message?: string;
}

/** Never answers until the fake closes: simulates a worker killed mid-call. */
export interface HangReply {
  hang: true;
}

/** What the scripted model answers to one request. */
export type FakeAnthropicReply = ToolUseReply | TextReply | ErrorReply | HangReply;

/** One scripted turn: a fixed reply or a function of the request. */
export type FakeAnthropicTurn = FakeAnthropicReply | ((request: FakeAnthropicRequest) => FakeAnthropicReply);

/** A message in a request, as the API accepts it. */
export interface FakeAnthropicMessageParam {
  role: string;
  content: string | Array<Record<string, unknown>>;
}

/** A request body (`messages.create` parameters); only validated requests are guaranteed to match. */
export interface FakeAnthropicRequestBody {
  model: string;
  max_tokens: number;
  messages: FakeAnthropicMessageParam[];
  system?: string | Array<{ type: string; text: string }>;
  tools?: Array<Record<string, unknown>>;
  tool_choice?: { type: string; name?: string };
  [key: string]: unknown;
}

/** A `tool_result` block of the request's last user message. */
export interface ToolResultSeen {
  tool_use_id: string;
  is_error: boolean;
  /** The result content flattened to text. */
  text: string;
  content: unknown;
}

/** One request received by the fake. */
export interface FakeAnthropicRequest {
  /** The scripted agent the system prompt named; undefined when none matched. */
  agent?: string;
  /** Request headers, lower-cased; `x-api-key` and `authorization` values are replaced by `<redacted>`. */
  headers: Record<string, string>;
  body: FakeAnthropicRequestBody;
  /** The system prompt as one string. */
  systemText: string;
  toolResults: ToolResultSeen[];
  time: number;
  /** HTTP status answered; undefined while hanging. */
  status?: number;
}

/** A local HTTP server speaking the Anthropic Messages API (non-streaming) with scripted answers. */
export interface FakeAnthropic {
  /** `http://127.0.0.1:<port>`: the SDK's `baseURL` (it appends `/v1/messages`). */
  readonly baseUrl: string;
  readonly requests: readonly FakeAnthropicRequest[];
  readonly unexpected: readonly string[];
  /**
   * Queues turns for the agent whose system prompt contains `name: <agent>` (preferred) or `<agent>`.
   * Scripting the same agent again appends turns. Turns are consumed in order.
   */
  script(agent: string, turns: FakeAnthropicTurn[]): void;
  /** Turns still queued for `agent`. */
  remainingTurns(agent: string): number;
  requestsFor(agent: string): FakeAnthropicRequest[];
  /** Polls `predicate` every 25 ms; on timeout throws with `description` and a summary of requests. */
  waitFor<T>(predicate: () => T | undefined | false | null, options?: PollOptions): Promise<T>;
  /** Throws listing {@link unexpected} when it is not empty. */
  assertNoUnexpected(): void;
  /** Stops the server and ends requests left hanging. */
  close(): Promise<void>;
}

/** Starts a fake Anthropic API on 127.0.0.1 with a random port. */
export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  const fake = new FakeAnthropicServer();
  await fake.listen();
  return fake;
}

interface Script {
  agent: string;
  turns: FakeAnthropicTurn[];
}

const ERROR_TYPES: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  404: { type: 'not_found_error', message: 'Not found' },
  429: {
    type: 'rate_limit_error',
    message: "This request would exceed your organization's rate limit. Please try again later.",
  },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

class FakeAnthropicServer implements FakeAnthropic {
  readonly requests: FakeAnthropicRequest[] = [];
  readonly unexpected: string[] = [];
  private readonly scripts: Script[] = [];
  private readonly cache = new FakePromptCache();
  private server: LocalServer | undefined;

  async listen(): Promise<void> {
    this.server = await listenLocal(
      (req, res) => this.route(req, res),
      (error) =>
        this.unexpected.push(`fake Anthropic crashed: ${error instanceof Error ? error.stack : String(error)}`),
    );
  }

  get baseUrl(): string {
    if (this.server === undefined) throw new Error('fake Anthropic is not listening');
    return this.server.origin;
  }

  script(agent: string, turns: FakeAnthropicTurn[]): void {
    const existing = this.scripts.find((s) => s.agent === agent);
    if (existing !== undefined) {
      existing.turns.push(...turns);
    } else {
      this.scripts.push({ agent, turns: [...turns] });
    }
  }

  remainingTurns(agent: string): number {
    return this.scripts.find((s) => s.agent === agent)?.turns.length ?? 0;
  }

  requestsFor(agent: string): FakeAnthropicRequest[] {
    return this.requests.filter((r) => r.agent === agent);
  }

  waitFor<T>(predicate: () => T | undefined | false | null, options: PollOptions = {}): Promise<T> {
    return pollUntil(predicate, options, () => this.summary());
  }

  assertNoUnexpected(): void {
    if (this.unexpected.length > 0) {
      throw new Error(
        `Fake Anthropic received unexpected requests:\n${this.unexpected.map((u) => `  - ${u}`).join('\n')}`,
      );
    }
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  private summary(): string {
    const lines = ['--- fake Anthropic state ---', `${this.requests.length} request(s):`];
    for (const r of this.requests) {
      lines.push(
        `  ${r.agent ?? '(no agent)'} → ${r.status ?? 'hanging'}; last message: ${lastMessageText(r.body).slice(0, 160)}`,
      );
    }
    for (const s of this.scripts) {
      lines.push(`  script ${s.agent}: ${s.turns.length} turn(s) left`);
    }
    if (this.unexpected.length > 0) lines.push('unexpected:', ...this.unexpected.map((u) => `  ${u}`));
    return lines.join('\n');
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    if (req.method !== 'POST' || url.pathname !== '/v1/messages') {
      this.unexpected.push(`${req.method ?? '?'} ${url.pathname}`);
      sendError(res, 404, `${req.method ?? '?'} ${url.pathname} is not implemented by the fake`);
      return;
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const body = (isRecord(parsed) ? parsed : {}) as FakeAnthropicRequestBody;
    const record: FakeAnthropicRequest = {
      headers: redactedHeaders(req),
      body,
      systemText: systemText(body.system),
      toolResults: lastToolResults(body),
      time: Date.now(),
    };
    this.requests.push(record);
    const answer = (status: number, message?: string, headers?: Record<string, string>): void => {
      record.status = status;
      sendError(res, status, message, headers);
    };

    if (!isRecord(parsed)) {
      this.unexpected.push('request body is not a JSON object');
      answer(400, 'There was an issue with the format of your request: body is not a JSON object');
      return;
    }
    // The API takes the key as `x-api-key` or `Authorization: Bearer` (what SDK 1.x sends).
    if (!headerValue(req, 'x-api-key') && !headerValue(req, 'authorization')) {
      this.unexpected.push('request without x-api-key or authorization header');
      answer(401, 'x-api-key header is required');
      return;
    }
    if (!headerValue(req, 'anthropic-version')) {
      this.unexpected.push('request without anthropic-version header');
      answer(400, 'anthropic-version: header is required');
      return;
    }
    const problem = requestProblem(parsed);
    if (problem !== undefined) {
      this.unexpected.push(`invalid request: ${problem}`);
      answer(400, problem);
      return;
    }
    if (parsed.stream === true) {
      this.unexpected.push('streaming request: the fake answers non-streaming requests only');
      answer(400, 'stream: the fake Anthropic does not stream');
      return;
    }

    const script = this.scriptFor(record.systemText);
    if (script === undefined) {
      this.unexpected.push(`no script matches the system prompt: ${record.systemText.slice(0, 200)}`);
      answer(500, 'no scripted agent matches this system prompt', { 'x-should-retry': 'false' });
      return;
    }
    record.agent = script.agent;
    const turn = script.turns.shift();
    if (turn === undefined) {
      this.unexpected.push(`no scripted turn left for ${script.agent}`);
      answer(500, `no scripted turn left for ${script.agent}`, { 'x-should-retry': 'false' });
      return;
    }
    let reply: FakeAnthropicReply;
    try {
      reply = typeof turn === 'function' ? turn(record) : turn;
    } catch (error) {
      this.unexpected.push(
        `scripted turn of ${script.agent} threw: ${error instanceof Error ? error.message : String(error)}`,
      );
      answer(500, 'scripted turn threw', { 'x-should-retry': 'false' });
      return;
    }

    if ('hang' in reply) {
      return; // The response stays open until the client gives up or the fake closes.
    }
    if ('status' in reply) {
      answer(
        reply.status,
        reply.message,
        reply.retryAfter === undefined ? {} : { 'retry-after': String(reply.retryAfter) },
      );
      return;
    }
    this.checkAgainstRequest(script.agent, reply, parsed as FakeAnthropicRequestBody);
    const message = buildMessage(parsed as FakeAnthropicRequestBody, reply, this.cache.usage(parsed));
    record.status = 200;
    sendJson(res, 200, message, { 'request-id': requestId() });
  }

  /** First registered script named as `name: <agent>`, else the first whose name appears at all. */
  private scriptFor(system: string): Script | undefined {
    return (
      this.scripts.find((s) => system.includes(`name: ${s.agent}`)) ??
      this.scripts.find((s) => system.startsWith(`You are the ${s.agent} `)) ??
      this.scripts.find((s) => system.includes(s.agent))
    );
  }

  /** Flags replies a real model could not give to this request. */
  private checkAgainstRequest(agent: string, reply: FakeAnthropicReply, body: FakeAnthropicRequestBody): void {
    const offered = new Set((body.tools ?? []).map((t) => t.name).filter((n): n is string => typeof n === 'string'));
    if ('toolUse' in reply) {
      for (const use of toArray(reply.toolUse)) {
        if (!offered.has(use.name)) {
          this.unexpected.push(
            `${agent}: scripted tool "${use.name}" is not among the request's tools [${[...offered].join(', ')}]`,
          );
        }
      }
      if (body.tool_choice?.type === 'none') {
        this.unexpected.push(`${agent}: scripted a tool call although tool_choice is none`);
      }
    } else if ('text' in reply && (body.tool_choice?.type === 'any' || body.tool_choice?.type === 'tool')) {
      this.unexpected.push(`${agent}: scripted a text answer although tool_choice forces a tool call`);
    }
  }
}

function buildMessage(body: FakeAnthropicRequestBody, reply: ToolUseReply | TextReply, cache: CacheUsage): Message {
  const content: Array<TextBlock | ToolUseBlock> = [];
  if (reply.text !== undefined && reply.text !== '') {
    content.push({ type: 'text', text: reply.text, citations: null });
  }
  let stopReason: Message['stop_reason'] = 'end_turn';
  if ('toolUse' in reply) {
    stopReason = 'tool_use';
    for (const use of toArray(reply.toolUse)) {
      content.push({
        type: 'tool_use',
        id: use.id ?? `toolu_01${randomBase62(22)}`,
        name: use.name,
        input: use.input,
        caller: { type: 'direct' },
      });
    }
  } else if (reply.stopReason !== undefined) {
    stopReason = reply.stopReason;
  }
  return {
    id: `msg_01${randomBase62(22)}`,
    type: 'message',
    role: 'assistant',
    model: body.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: {
      input_tokens: Math.max(1, cache.input_tokens),
      output_tokens: Math.max(1, Math.ceil(JSON.stringify(content).length / 4)),
      cache_creation_input_tokens: cache.cache_creation_input_tokens,
      cache_read_input_tokens: cache.cache_read_input_tokens,
      cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: cache.cache_creation_input_tokens },
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: 'standard',
      speed: null,
    },
  };
}

/** The first thing the real API would refuse in this body, worded like the API. */
function requestProblem(body: Record<string, unknown>): string | undefined {
  if (typeof body.model !== 'string' || body.model === '') return 'model: Field required';
  if (body.max_tokens === undefined) return 'max_tokens: Field required';
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    return 'max_tokens: Input should be a valid integer greater than or equal to 1';
  }
  if (body.messages === undefined) return 'messages: Field required';
  if (!Array.isArray(body.messages)) return 'messages: Input should be a valid list';
  if (body.messages.length === 0) return 'messages: at least one message is required';
  if (body.system !== undefined && typeof body.system !== 'string') {
    if (
      !Array.isArray(body.system) ||
      !body.system.every((b) => isRecord(b) && b.type === 'text' && typeof b.text === 'string')
    ) {
      return 'system: Input should be a valid string or a list of text blocks';
    }
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return 'tools: Input should be a valid list';
    for (const [i, tool] of body.tools.entries()) {
      if (!isRecord(tool)) return `tools.${i}: Input should be a valid dictionary`;
      if (tool.type !== undefined && tool.type !== 'custom') continue; // server tools have their own shapes
      if (typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) {
        return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
      }
      if (!isRecord(tool.input_schema)) return `tools.${i}.custom.input_schema: Field required`;
      if (tool.input_schema.type !== 'object') return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
    }
  }
  const messages = body.messages as unknown[];
  for (const [i, message] of messages.entries()) {
    if (!isRecord(message)) return `messages.${i}: Input should be a valid dictionary`;
    if (message.role !== 'user' && message.role !== 'assistant') {
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    }
    const isFinalAssistant = i === messages.length - 1 && message.role === 'assistant';
    const content = message.content;
    if (typeof content !== 'string' && !Array.isArray(content))
      return `messages.${i}.content: Input should be a valid string or list`;
    if (!isFinalAssistant && (content.length === 0 || (typeof content === 'string' && content.trim() === ''))) {
      return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    }
    if (Array.isArray(content)) {
      for (const [j, block] of content.entries()) {
        if (!isRecord(block) || typeof block.type !== 'string')
          return `messages.${i}.content.${j}: Input should be a valid content block`;
        if (block.type === 'text' && (typeof block.text !== 'string' || block.text === '')) {
          return `messages.${i}.content.${j}.text: text content blocks must be non-empty`;
        }
      }
    }
    const problem = toolPairingProblem(messages, i);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** tool_use blocks need tool_result blocks right after them, and the other way round. */
function toolPairingProblem(messages: unknown[], i: number): string | undefined {
  const message = messages[i] as Record<string, unknown>;
  if (message.role === 'assistant' && i < messages.length - 1) {
    const ids = blocksOf(message, 'tool_use').map((b) => String(b.id));
    const next = messages[i + 1];
    const answered = new Set(
      isRecord(next) && next.role === 'user' ? blocksOf(next, 'tool_result').map((b) => String(b.tool_use_id)) : [],
    );
    const missing = ids.filter((id) => !answered.has(id));
    if (missing.length > 0) {
      return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
  }
  if (message.role === 'user') {
    const previous = i > 0 ? messages[i - 1] : undefined;
    const asked = new Set(
      isRecord(previous) && previous.role === 'assistant'
        ? blocksOf(previous, 'tool_use').map((b) => String(b.id))
        : [],
    );
    const results = blocksOf(message, 'tool_result');
    for (const [j, result] of results.entries()) {
      if (!asked.has(String(result.tool_use_id))) {
        return `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(result.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
  }
  return undefined;
}

function blocksOf(message: Record<string, unknown>, type: string): Array<Record<string, unknown>> {
  return Array.isArray(message.content)
    ? message.content.filter((b): b is Record<string, unknown> => isRecord(b) && b.type === type)
    : [];
}

function lastToolResults(body: FakeAnthropicRequestBody): ToolResultSeen[] {
  if (!Array.isArray(body.messages)) return [];
  const lastUser = [...body.messages].reverse().find((m) => isRecord(m) && m.role === 'user');
  if (lastUser === undefined) return [];
  return blocksOf(lastUser as unknown as Record<string, unknown>, 'tool_result').map((b) => ({
    tool_use_id: String(b.tool_use_id),
    is_error: b.is_error === true,
    text: flattenText(b.content),
    content: b.content,
  }));
}

function lastMessageText(body: FakeAnthropicRequestBody): string {
  const last = Array.isArray(body.messages) ? body.messages[body.messages.length - 1] : undefined;
  return last === undefined ? '' : flattenText(last.content).replace(/\s+/g, ' ');
}

function flattenText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => {
      if (!isRecord(block)) return '';
      if (typeof block.text === 'string') return block.text;
      if (block.type === 'tool_use') return `[tool_use ${String(block.name)} ${JSON.stringify(block.input)}]`;
      if (block.type === 'tool_result') return `[tool_result ${flattenText(block.content)}]`;
      return '';
    })
    .filter(Boolean)
    .join('\n');
}

function systemText(system: unknown): string {
  if (typeof system === 'string') return system;
  if (Array.isArray(system))
    return system.map((b) => (isRecord(b) && typeof b.text === 'string' ? b.text : '')).join('\n');
  return '';
}

function redactedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (headers['x-api-key'] !== undefined) headers['x-api-key'] = '<redacted>';
  if (headers.authorization !== undefined) headers.authorization = '<redacted>';
  return headers;
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string | undefined,
  headers: Record<string, string> = {},
): void {
  const known = ERROR_TYPES[status] ?? { type: 'api_error', message: 'Internal server error' };
  const id = requestId();
  sendJson(
    res,
    status,
    { type: 'error', error: { type: known.type, message: message ?? known.message }, request_id: id },
    { 'request-id': id, ...headers },
  );
}

function requestId(): string {
  return `req_011C${randomBase62(20)}`;
}

function randomBase62(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

function toArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
