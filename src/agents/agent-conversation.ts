import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';

const textBlockSchema = z.object({ type: z.literal('text'), text: z.string().min(1) });
const toolUseBlockSchema = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});
const toolResultBlockSchema = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.string(),
  is_error: z.boolean().optional(),
});

const conversationMessageSchema = z.union([
  z.object({
    role: z.literal('user'),
    content: z.union([z.string().min(1), z.array(z.union([textBlockSchema, toolResultBlockSchema])).min(1)]),
  }),
  z.object({ role: z.literal('assistant'), content: z.array(z.union([textBlockSchema, toolUseBlockSchema])).min(1) }),
]);
export type ConversationMessage = z.infer<typeof conversationMessageSchema>;
export type AssistantMessage = Extract<ConversationMessage, { role: 'assistant' }>;
export type ToolUse = z.infer<typeof toolUseBlockSchema>;
export type ToolResult = z.infer<typeof toolResultBlockSchema>;

/**
 * An agent's conversation as stored while a question waits for a reply: plain JSON, so it survives the
 * database and a worker restart, and is checked with zod before a run resumes it.
 */
export const agentConversationSchema = z.object({
  version: z.literal(1),
  agent: z.string().min(1),
  messages: z.array(conversationMessageSchema).min(1),
});
export type AgentConversation = z.infer<typeof agentConversationSchema>;

/** The assistant turn to store and send back: text and tool calls; other block kinds are not used here. */
export function assistantTurn(content: Anthropic.ContentBlock[]): AssistantMessage | undefined {
  const blocks: AssistantMessage['content'] = [];
  for (const block of content) {
    if (block.type === 'text' && block.text !== '') blocks.push({ type: 'text', text: block.text });
    if (block.type === 'tool_use')
      blocks.push({ type: 'tool_use', id: block.id, name: block.name, input: asRecord(block.input) });
  }
  return blocks.length > 0 ? { role: 'assistant', content: blocks } : undefined;
}

/**
 * The messages as request parameters, with a cache breakpoint on the last block so each call of a
 * tool loop reads the previous call's prefix from the cache.
 */
export function toMessageParams(messages: readonly ConversationMessage[]): Anthropic.MessageParam[] {
  return messages.map((message, i) => {
    if (i !== messages.length - 1) return structuredClone(message);
    const blocks =
      typeof message.content === 'string'
        ? [{ type: 'text' as const, text: message.content }]
        : structuredClone(message.content);
    const last = blocks[blocks.length - 1];
    if (last !== undefined) Object.assign(last, { cache_control: { type: 'ephemeral' } });
    return { ...message, content: blocks } as Anthropic.MessageParam;
  });
}

function asRecord(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}

/** A copy of the conversation so far, to store with a handoff or a question. */
export function conversationOf(agent: string, messages: ConversationMessage[]): AgentConversation {
  return { version: 1, agent, messages: structuredClone(messages) };
}

/** A tool result that tells the model what went wrong, so it can act on it. */
export function errorResult(use: ToolUse, content: string): ToolResult {
  return { type: 'tool_result', tool_use_id: use.id, content, is_error: true };
}
