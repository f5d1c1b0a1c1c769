import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { AgentFailedError, HandoffInvalidError } from '../domain/errors';
import type { Logger } from '../logger';
import { type AgentDefinition, resolveModel } from './agent-definition';
import {
  type ToolResult,
  type ToolUse,
  assistantTurn,
  conversationOf,
  errorResult,
  toMessageParams,
} from './agent-conversation';
import type { AgentAnswer, AgentObserver, AgentOutcome, AgentRunner, AgentTask } from '../engine/ports/agent-runner';
import { askUserInputSchema, isKnownTool, toolDefinitions } from './agent-tools';
import { claudeCallError } from './claude-errors';
import { issuesText } from './issues-text';
import { type Usage, ZERO_USAGE, addUsage, handoffSchemaFor, totalTokens } from '../domain/handoff';
import { usageOf } from './claude-usage';
import { renderTask } from './render-task';
import { resumedMessages } from './resumed-messages';
import type { ToolRegistry } from './tools/tool-registry';
import type { ModelCallRecorder } from '../domain/model-call';

/** What a ClaudeAgentRunner needs; the composition root builds the client (with its maxRetries). */
export interface ClaudeAgentRunnerOptions {
  client: Anthropic;
  /** Agents by name, from `loadAgents`. */
  agents: Map<string, AgentDefinition>;
  /** The executed tools, built with their dependencies (`createToolRegistry`). */
  tools: ToolRegistry;
  /** ANTHROPIC_MODEL: what an agent's model alias (sonnet, opus, haiku, inherit) means. */
  model: string;
  logger: Logger;
  /** Model calls allowed in one run, reminders included. Default 20. */
  maxTurns?: number;
  /** Invalid handoffs allowed in one run: the one that reaches this number ends it. Default 3. */
  maxInvalidHandoffs?: number;
  /** `max_tokens` of each call. Default 4096. */
  maxTokens?: number;
  /** Tokens (input, cache and output) one step may use, earlier runs included. Default 400,000. */
  tokenBudget?: number;
  /** Wall-clock time one run may take, model calls and tools included (ms). Default 10 minutes. */
  timeBudgetMs?: number;
  /** Told of every model call: its latency, tokens and cost (Prometheus, from the composition root). */
  recordCall?: ModelCallRecorder;
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
  private readonly tools: ToolRegistry;
  private readonly model: string;
  private readonly logger: Logger;
  private readonly maxTurns: number;
  private readonly maxInvalidHandoffs: number;
  private readonly maxTokens: number;
  private readonly tokenBudget: number;
  private readonly timeBudgetMs: number;
  private readonly recordCall: ModelCallRecorder;

  constructor(options: ClaudeAgentRunnerOptions) {
    this.client = options.client;
    this.agents = options.agents;
    this.tools = options.tools;
    this.model = options.model;
    this.logger = options.logger;
    this.maxTurns = options.maxTurns ?? 20;
    this.maxInvalidHandoffs = options.maxInvalidHandoffs ?? 3;
    this.maxTokens = options.maxTokens ?? 4096;
    this.tokenBudget = options.tokenBudget ?? 400_000;
    this.timeBudgetMs = options.timeBudgetMs ?? 10 * 60_000;
    this.recordCall = options.recordCall ?? (() => undefined);
  }

  async run(
    task: AgentTask,
    resume?: { conversation: unknown; answer: AgentAnswer },
    observer: AgentObserver = {},
  ): Promise<AgentOutcome> {
    const agent = this.definition(task.agent);
    const messages =
      resume === undefined
        ? [{ role: 'user' as const, content: renderTask(task) }]
        : resumedMessages(task.agent, resume);
    const log = this.logger.child({ workflowId: task.workflowId, stepId: task.stepId, agent: agent.name });
    const model = resolveModel(agent, this.model);
    const handoffSchema = handoffSchemaFor({ required: task.outputs ?? [], optional: task.optionalOutputs });
    const request = {
      model,
      max_tokens: this.maxTokens,
      system: [{ type: 'text' as const, text: agent.prompt, cache_control: { type: 'ephemeral' as const } }],
      tools: toolDefinitions(agent.tools.filter(isKnownTool), this.tools, handoffSchema),
      tool_choice: { type: 'auto' as const, disable_parallel_tool_use: true },
    };
    const deadline = Date.now() + this.timeBudgetMs;
    const spent = task.spent ?? ZERO_USAGE;
    let usage: Usage = ZERO_USAGE;
    let invalidHandoffs = 0;

    for (let turn = 1; turn <= this.maxTurns; turn++) {
      observer.progress?.(turn === 1 ? 'thinking…' : `thinking (model call ${turn})…`);
      const response = await this.call(agent.name, { ...request, messages: toMessageParams(messages) }, deadline);
      const callUsage = usageOf(model, response.usage);
      usage = addUsage(usage, callUsage);
      observer.call?.({ model, usage: callUsage });
      log.debug({ turn, stopReason: response.stop_reason, usage: response.usage }, 'agent turn');
      const used = totalTokens(spent) + totalTokens(usage);
      if (used > this.tokenBudget) {
        throw new AgentFailedError(
          `${agent.name} used ${used.toLocaleString('en-US')} tokens, over the step's budget ` +
            `of ${this.tokenBudget.toLocaleString('en-US')} (INFRA_STEP_TOKEN_BUDGET). ` +
            'Make the request narrower, or raise the budget, and start it again.',
          false,
        );
      }

      if (response.stop_reason === 'refusal') {
        throw new AgentFailedError(`${agent.name} declined this request. Rephrase it, or do this step by hand.`, false);
      }
      if (response.stop_reason === 'model_context_window_exceeded') {
        throw new AgentFailedError(
          `The conversation of ${agent.name} outgrew the model's context window. Shorten the request or split it, and start it again.`,
          false,
        );
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
        const allowed = (agent.tools as readonly string[]).includes(use.name);
        if (use.name === 'submit_handoff' && allowed) {
          observer.progress?.('handing off…');
          const handoff = handoffSchema.safeParse(use.input);
          if (handoff.success) {
            log.info({ turns: turn, usage }, 'agent handed off');
            return {
              type: 'handoff',
              handoff: handoff.data,
              usage,
              conversation: conversationOf(agent.name, messages),
            };
          }
          invalidHandoffs++;
          if (invalidHandoffs >= this.maxInvalidHandoffs) {
            throw new HandoffInvalidError(
              agent.name,
              `${invalidHandoffs} attempts; last problems: ${clip(issuesText(handoff.error), 600)}`,
            );
          }
          log.info({ turn, invalidHandoffs }, 'agent handoff invalid; sent back');
          const problems = `The handoff is invalid; fix these problems and call submit_handoff again:\n${z.prettifyError(handoff.error)}`;
          results.push(errorResult(use, cutOff ? `${CUT_OFF}\n${problems}` : problems));
        } else if (use.name === 'ask_user' && allowed) {
          const input = askUserInputSchema.safeParse(use.input);
          if (input.success) {
            log.info({ turns: turn, usage }, 'agent asked a question');
            return {
              type: 'question',
              question: input.data.question,
              toolUseId: use.id,
              usage,
              conversation: conversationOf(agent.name, messages),
            };
          }
          results.push(errorResult(use, `ask_user needs a question:\n${z.prettifyError(input.error)}`));
        } else if (allowed) {
          observer.progress?.(`calling ${use.name}…`);
          results.push(await this.execute(use, task));
        } else {
          results.push(errorResult(use, `unknown tool "${use.name}"; your tools are: ${agent.tools.join(', ')}`));
        }
      }
      messages.push({ role: 'user', content: results });
    }
    throw new AgentFailedError(
      `${agent.name} did not finish its step within ${this.maxTurns} model calls. Rephrase the request more ` +
        `specifically, or split it, and start it again.`,
      false,
    );
  }

  /** One model call, cut off when the run's time budget is over. */
  private async call(
    agent: string,
    params: Anthropic.MessageCreateParamsNonStreaming,
    deadline: number,
  ): Promise<Anthropic.Message> {
    const remaining = deadline - Date.now();
    const overBudget = () =>
      new AgentFailedError(
        `${agent} did not finish within the step's time budget of ${Math.round(this.timeBudgetMs / 1000)} s ` +
          `(INFRA_STEP_TIME_BUDGET_MS). Make the request narrower and start it again.`,
        false,
      );
    if (remaining <= 0) throw overBudget();
    const signal = AbortSignal.timeout(remaining);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const response = await this.client.messages.create(params, { signal });
      const usage = usageOf(params.model, response.usage);
      this.recordCall({ agent, model: params.model, seconds: seconds(), outcome: 'ok', usage });
      return response;
    } catch (error) {
      this.recordCall({ agent, model: params.model, seconds: seconds(), outcome: 'error' });
      if (signal.aborted) throw overBudget();
      const failure = claudeCallError(error, agent);
      this.logger.warn({ agent, retryable: failure.retryable, err: failure.message }, 'agent call failed');
      throw failure;
    }
  }

  /** Runs an executed tool; a bad input or a failure becomes an error result the model can act on. */
  private async execute(use: ToolUse, task: AgentTask): Promise<ToolResult> {
    const tool =
      isKnownTool(use.name) && use.name !== 'submit_handoff' && use.name !== 'ask_user'
        ? this.tools.get(use.name)
        : undefined;
    if (tool === undefined) return errorResult(use, `the tool "${use.name}" is not available in this bot`);
    const input = tool.input.safeParse(use.input);
    if (!input.success) return errorResult(use, `invalid input for ${use.name}:\n${z.prettifyError(input.error)}`);
    try {
      const output = await tool.execute(input.data, { workflowId: task.workflowId, stepId: task.stepId });
      return output.isError
        ? errorResult(use, output.text)
        : { type: 'tool_result', tool_use_id: use.id, content: output.text };
    } catch (error) {
      this.logger.warn({ tool: use.name, err: (error as Error).message }, 'agent tool failed');
      return errorResult(use, `${use.name} failed: ${(error as Error).message}`);
    }
  }

  private definition(name: string): AgentDefinition {
    const agent = this.agents.get(name);
    if (agent === undefined) {
      throw new AgentFailedError(
        `There is no agent named "${name}". Add agents/${name}.md or fix the workflow that names it, then restart the bot.`,
        false,
      );
    }
    if (!agent.tools.includes('submit_handoff')) {
      throw new AgentFailedError(
        `${agent.file} does not list submit_handoff in its tools, so the agent can never finish a step. Add it and restart the bot.`,
        false,
      );
    }
    return agent;
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
