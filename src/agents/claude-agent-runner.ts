import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { AgentFailedError, HandoffInvalidError } from '../errors';
import type { Logger } from '../logger';
import { AgentDefinition, resolveModel } from './agent-definition';
import { AgentConversation, ConversationMessage, ToolResult, ToolUse, agentConversationSchema, assistantTurn, toMessageParams } from './agent-conversation';
import type { AgentAnswer, AgentOutcome, AgentRunner, AgentTask } from './agent-runner';
import { askUserInputSchema, isKnownTool, toolDefinitions } from './agent-tools';
import { claudeCallError } from './claude-errors';
import { issuesText } from './issues-text';
import { Usage, ZERO_USAGE, addUsage, handoffSchema } from './handoff';
import { renderTask } from './render-task';

/** What a ClaudeAgentRunner needs; the composition root builds the client (with its maxRetries). */
export interface ClaudeAgentRunnerOptions {
  client: Anthropic;
  /** Agents by name, from `loadAgents`. */
  agents: Map<string, AgentDefinition>;
  /** ANTHROPIC_MODEL: what an agent's model alias (sonnet, opus, haiku, inherit) means. */
  model: string;
  logger: Logger;
  /** Model calls allowed in one run, reminders included. Default 20. */
  maxTurns?: number;
  /** Invalid handoffs allowed in one run: the one that reaches this number ends it. Default 3. */
  maxInvalidHandoffs?: number;
  /** `max_tokens` of each call. Default 4096. */
  maxTokens?: number;
}

const REMINDER =
  'You ended your turn without calling a tool. When your work is complete, call submit_handoff with your ' +
  'handoff; call ask_user only if you genuinely need an answer from a person.';
const CUT_OFF =
  'Your reply was cut off at the output limit. Call submit_handoff now, keeping artifacts focused on what the step needs.';

/** Runs an agent as a tool loop against the Messages API, ending at a valid handoff or a question. */
export class ClaudeAgentRunner implements AgentRunner {
  private readonly client: Anthropic;
  private readonly agents: Map<string, AgentDefinition>;
  private readonly model: string;
  private readonly logger: Logger;
  private readonly maxTurns: number;
  private readonly maxInvalidHandoffs: number;
  private readonly maxTokens: number;

  constructor(options: ClaudeAgentRunnerOptions) {
    this.client = options.client;
    this.agents = options.agents;
    this.model = options.model;
    this.logger = options.logger;
    this.maxTurns = options.maxTurns ?? 20;
    this.maxInvalidHandoffs = options.maxInvalidHandoffs ?? 3;
    this.maxTokens = options.maxTokens ?? 4096;
  }

  async run(task: AgentTask, resume?: { conversation: unknown; answer: AgentAnswer }): Promise<AgentOutcome> {
    const agent = this.definition(task.agent);
    const messages = resume === undefined ? [{ role: 'user' as const, content: renderTask(task) }] : resumedMessages(task.agent, resume);
    const log = this.logger.child({ workflowId: task.workflowId, stepId: task.stepId, agent: agent.name });
    const request = {
      model: resolveModel(agent, this.model),
      max_tokens: this.maxTokens,
      system: [{ type: 'text' as const, text: agent.prompt, cache_control: { type: 'ephemeral' as const } }],
      tools: toolDefinitions(agent.tools.filter(isKnownTool)),
      tool_choice: { type: 'auto' as const, disable_parallel_tool_use: true },
    };
    let usage: Usage = ZERO_USAGE;
    let invalidHandoffs = 0;

    for (let turn = 1; turn <= this.maxTurns; turn++) {
      let response: Anthropic.Message;
      try {
        response = await this.client.messages.create({ ...request, messages: toMessageParams(messages) });
      } catch (error) {
        const failure = claudeCallError(error, agent.name);
        log.warn({ turn, retryable: failure.retryable, err: failure.message }, 'agent call failed');
        throw failure;
      }
      usage = addUsage(usage, usageOf(response.usage));
      log.debug({ turn, stopReason: response.stop_reason, usage: response.usage }, 'agent turn');

      if (response.stop_reason === 'refusal') {
        throw new AgentFailedError(`${agent.name} declined this request. Rephrase it, or do this step by hand.`, false);
      }
      if (response.stop_reason === 'model_context_window_exceeded') {
        throw new AgentFailedError(`The conversation of ${agent.name} outgrew the model's context window. Shorten the request or split it, and start it again.`, false);
      }
      const cutOff = response.stop_reason === 'max_tokens';
      const assistant = assistantTurn(response.content);
      const toolUses = assistant?.content.filter((b): b is ToolUse => b.type === 'tool_use') ?? [];
      if (assistant !== undefined) messages.push(assistant);
      if (toolUses.length === 0) {
        messages.push({ role: 'user', content: cutOff ? CUT_OFF : REMINDER });
        continue;
      }

      const results: ToolResult[] = [];
      for (const use of toolUses) {
        if (use.name === 'submit_handoff' && agent.tools.includes('submit_handoff')) {
          const handoff = handoffSchema.safeParse(use.input);
          if (handoff.success) {
            log.info({ turns: turn, usage }, 'agent handed off');
            return { type: 'handoff', handoff: handoff.data, usage, conversation: conversationOf(agent.name, messages) };
          }
          invalidHandoffs++;
          if (invalidHandoffs >= this.maxInvalidHandoffs) {
            throw new HandoffInvalidError(agent.name, `${invalidHandoffs} attempts; last problems: ${clip(issuesText(handoff.error), 600)}`);
          }
          log.info({ turn, invalidHandoffs }, 'agent handoff invalid; sent back');
          const problems = `The handoff is invalid; fix these problems and call submit_handoff again:\n${z.prettifyError(handoff.error)}`;
          results.push(errorResult(use, cutOff ? `${CUT_OFF}\n${problems}` : problems));
        } else if (use.name === 'ask_user' && agent.tools.includes('ask_user')) {
          const input = askUserInputSchema.safeParse(use.input);
          if (input.success) {
            log.info({ turns: turn, usage }, 'agent asked a question');
            return { type: 'question', question: input.data.question, toolUseId: use.id, usage, conversation: conversationOf(agent.name, messages) };
          }
          results.push(errorResult(use, `ask_user needs a question:\n${z.prettifyError(input.error)}`));
        } else {
          results.push(errorResult(use, `unknown tool "${use.name}"; your tools are: ${agent.tools.join(', ')}`));
        }
      }
      messages.push({ role: 'user', content: results });
    }
    throw new AgentFailedError(
      `${agent.name} did not finish its step within ${this.maxTurns} model calls. Rephrase the request more specifically, or split it, and start it again.`,
      false,
    );
  }

  private definition(name: string): AgentDefinition {
    const agent = this.agents.get(name);
    if (agent === undefined) {
      throw new AgentFailedError(`There is no agent named "${name}". Add agents/${name}.md or fix the workflow that names it, then restart the bot.`, false);
    }
    if (!agent.tools.includes('submit_handoff')) {
      throw new AgentFailedError(`${agent.file} does not list submit_handoff in its tools, so the agent can never finish a step. Add it and restart the bot.`, false);
    }
    return agent;
  }
}

/** The stored conversation plus a user turn answering each tool call of its last assistant turn. */
function resumedMessages(agent: string, resume: { conversation: unknown; answer: AgentAnswer }): ConversationMessage[] {
  const parsed = agentConversationSchema.safeParse(resume.conversation);
  if (!parsed.success || parsed.data.agent !== agent) {
    throw new AgentFailedError(`The stored conversation of ${agent} cannot be resumed (it is damaged or belongs to another agent). Retry the step to start it afresh.`, false);
  }
  const messages = parsed.data.messages;
  const last = messages[messages.length - 1];
  const uses = last?.role === 'assistant' ? last.content.filter((b): b is ToolUse => b.type === 'tool_use') : [];
  if (!uses.some((u) => u.id === resume.answer.toolUseId && u.name === 'ask_user')) {
    throw new AgentFailedError(`The reply does not answer ${agent}'s pending question (it was asked in another run). Retry the step to ask again.`, false);
  }
  const { toolUseId, user, text } = resume.answer;
  const results = uses.map((use): ToolResult =>
    use.id === toolUseId
      ? { type: 'tool_result', tool_use_id: use.id, content: `${user} answered: ${text}` }
      : errorResult(use, 'not run: call one tool at a time; call it again if you still need it'),
  );
  return [...messages, { role: 'user', content: results }];
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function conversationOf(agent: string, messages: ConversationMessage[]): AgentConversation {
  return { version: 1, agent, messages: structuredClone(messages) };
}

function errorResult(use: ToolUse, content: string): ToolResult {
  return { type: 'tool_result', tool_use_id: use.id, content, is_error: true };
}

/** The SDK's usage in our shape; the cache counts are null when the API does not report them. */
function usageOf(usage: Anthropic.Usage): Usage {
  return {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
  };
}
