import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakePromptCache } from './fake-prompt-cache';
import { impossibleReplyProblems, requestProblem } from './fake-anthropic-request-checks';
import {
  buildMessage,
  isRecord,
  lastMessageText,
  lastToolResults,
  redactedHeaders,
  requestId,
  sendError,
  systemText,
  type FakeAnthropicRequestBody,
  type ToolResultSeen,
} from './fake-anthropic-wire';
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
    this.unexpected.push(...impossibleReplyProblems(script.agent, reply, parsed as FakeAnthropicRequestBody));
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
}
