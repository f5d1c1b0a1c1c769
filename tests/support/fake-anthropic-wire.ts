/** The Anthropic Messages API's wire format as the fake speaks it: request bodies, messages, errors, ids. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Message, TextBlock, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages/messages';
import { sendJson } from '../../dev/local-slack/local-http';
import type { TextReply, ToolUseReply } from './fake-anthropic';
import type { CacheUsage } from './fake-prompt-cache';

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

export function buildMessage(
  body: FakeAnthropicRequestBody,
  reply: ToolUseReply | TextReply,
  cache: CacheUsage,
): Message {
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

export function blocksOf(message: Record<string, unknown>, type: string): Array<Record<string, unknown>> {
  return Array.isArray(message.content)
    ? message.content.filter((b): b is Record<string, unknown> => isRecord(b) && b.type === type)
    : [];
}

export function lastToolResults(body: FakeAnthropicRequestBody): ToolResultSeen[] {
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

export function lastMessageText(body: FakeAnthropicRequestBody): string {
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

export function systemText(system: unknown): string {
  if (typeof system === 'string') return system;
  if (Array.isArray(system))
    return system.map((b) => (isRecord(b) && typeof b.text === 'string' ? b.text : '')).join('\n');
  return '';
}

export function redactedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (headers['x-api-key'] !== undefined) headers['x-api-key'] = '<redacted>';
  if (headers.authorization !== undefined) headers.authorization = '<redacted>';
  return headers;
}

export function sendError(
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

export function requestId(): string {
  return `req_011C${randomBase62(20)}`;
}

function randomBase62(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

export function toArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
