/** What the real Messages API refuses in a request, and what a real model could not answer to one. */
import { blocksOf, type FakeAnthropicRequestBody, isRecord, toArray } from './fake-anthropic-wire';
import type { FakeAnthropicReply } from './fake-anthropic';

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

/** The first thing the real API would refuse in this body, worded like the API. */
export function requestProblem(body: Record<string, unknown>): string | undefined {
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
      return (
        `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ` +
        `${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in ` +
        'the next message.'
      );
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
        return (
          `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ` +
          `${String(result.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` ` +
          'block in the previous message.'
        );
      }
    }
  }
  return undefined;
}

/** What a real model could not have answered to this request: tools not offered, or a tool choice ignored. */
export function impossibleReplyProblems(
  agent: string,
  reply: FakeAnthropicReply,
  body: FakeAnthropicRequestBody,
): string[] {
  const problems: string[] = [];
  const offered = new Set((body.tools ?? []).map((t) => t.name).filter((n): n is string => typeof n === 'string'));
  if ('toolUse' in reply) {
    for (const use of toArray(reply.toolUse)) {
      if (!offered.has(use.name)) {
        problems.push(
          `${agent}: scripted tool "${use.name}" is not among the request's tools [${[...offered].join(', ')}]`,
        );
      }
    }
    if (body.tool_choice?.type === 'none') {
      problems.push(`${agent}: scripted a tool call although tool_choice is none`);
    }
  } else if ('text' in reply && (body.tool_choice?.type === 'any' || body.tool_choice?.type === 'tool')) {
    problems.push(`${agent}: scripted a text answer although tool_choice forces a tool call`);
  }
  return problems;
}
