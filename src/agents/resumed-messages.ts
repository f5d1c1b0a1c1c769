import { AgentFailedError } from '../domain/errors';
import type { AgentAnswer } from '../engine/ports/agent-runner';
import {
  type ConversationMessage,
  type ToolResult,
  type ToolUse,
  agentConversationSchema,
  errorResult,
} from './agent-conversation';

/** The stored conversation plus a user turn answering each tool call of its last assistant turn. */
export function resumedMessages(
  agent: string,
  resume: { conversation: unknown; answer: AgentAnswer },
): ConversationMessage[] {
  const parsed = agentConversationSchema.safeParse(resume.conversation);
  if (!parsed.success || parsed.data.agent !== agent) {
    throw new AgentFailedError(
      `The stored conversation of ${agent} cannot be resumed (it is damaged or belongs to another agent). Retry ` +
        `the step to start it afresh.`,
      false,
    );
  }
  const messages = parsed.data.messages;
  const last = messages[messages.length - 1];
  const uses = last?.role === 'assistant' ? last.content.filter((b): b is ToolUse => b.type === 'tool_use') : [];
  if (!uses.some((u) => u.id === resume.answer.toolUseId && u.name === 'ask_user')) {
    throw new AgentFailedError(
      `The reply does not answer ${agent}'s pending question (it was asked in another run). Retry the step to ask again.`,
      false,
    );
  }
  const { toolUseId, user, text } = resume.answer;
  const results = uses.map(
    (use): ToolResult =>
      use.id === toolUseId
        ? { type: 'tool_result', tool_use_id: use.id, content: `${user} answered: ${text}` }
        : errorResult(use, 'not run: call one tool at a time; call it again if you still need it'),
  );
  return [...messages, { role: 'user', content: results }];
}
