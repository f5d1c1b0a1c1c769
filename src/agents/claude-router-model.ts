import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { AgentFailedError } from '../domain/errors';
import type { Logger } from '../logger';
import { type Category, categorySchema } from '../domain/plan';
import { type AgentDefinition, resolveModel } from './agent-definition';
import { jsonSchemaOf } from './agent-tools';
import { usageOf } from './claude-usage';
import { claudeCallError } from './claude-errors';
import type { Usage } from '../domain/handoff';
import { issuesText } from './issues-text';
import type { RouterModel } from '../engine/ports/router-model';
import type { ModelCallRecorder } from '../domain/model-call';

/** The router's answer: one to three categories, the primary first, and why. */
export const routerChoiceSchema = z.object({
  categories: z
    .array(categorySchema)
    .min(1)
    .max(3)
    .refine((c) => new Set(c).size === c.length, 'list each category once'),
  reason: z.string().trim().min(1).max(500),
});

const CHOOSE_WORKFLOW = 'choose_workflow';

/** What a ClaudeRouterModel needs; `router` is the `router` entry of `loadAgents`. */
export interface ClaudeRouterModelOptions {
  client: Anthropic;
  router: AgentDefinition;
  /** ANTHROPIC_MODEL: what the router's model alias means. */
  model: string;
  logger: Logger;
  /** `max_tokens` of the call. Default 1024. */
  maxTokens?: number;
  /** Told of the call: its latency, tokens and cost, as agent `router`. */
  recordCall?: ModelCallRecorder;
}

/** Asks Claude, in one forced tool call, which workflow categories a request belongs to. */
export class ClaudeRouterModel implements RouterModel {
  constructor(private readonly options: ClaudeRouterModelOptions) {}

  async classify(
    request: string,
  ): Promise<{ categories: Category[]; reason: string; call: { model: string; usage: Usage } }> {
    const { client, router, model, logger, maxTokens = 1024, recordCall } = this.options;
    const resolved = resolveModel(router, model);
    let response: Anthropic.Message;
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      response = await client.messages.create({
        model: resolved,
        max_tokens: maxTokens,
        system: [{ type: 'text', text: router.prompt, cache_control: { type: 'ephemeral' } }],
        tools: [
          {
            name: CHOOSE_WORKFLOW,
            description: 'Choose the workflow categories for the request, primary first, with a one-sentence reason.',
            input_schema: jsonSchemaOf(routerChoiceSchema),
            cache_control: { type: 'ephemeral' },
          },
        ],
        tool_choice: { type: 'tool', name: CHOOSE_WORKFLOW },
        messages: [{ role: 'user', content: `<request>\n${request}\n</request>` }],
      });
    } catch (error) {
      recordCall?.({ agent: 'router', model: resolved, seconds: seconds(), outcome: 'error' });
      throw claudeCallError(error, 'the router');
    }
    const usage = usageOf(resolved, response.usage);
    recordCall?.({ agent: 'router', model: resolved, seconds: seconds(), outcome: 'ok', usage });
    const use = response.content.find(
      (b): b is Anthropic.ToolUseBlock => b.type === 'tool_use' && b.name === CHOOSE_WORKFLOW,
    );
    const choice = routerChoiceSchema.safeParse(use?.input);
    if (!choice.success) {
      const problem = use === undefined ? 'it did not call choose_workflow' : issuesText(choice.error);
      throw new AgentFailedError(
        `The router could not classify the request (${problem}). Rephrase it to name what changes, e.g. "add a ` +
          `table …" or "update the CI pipeline …".`,
        false,
      );
    }
    logger.info({ categories: choice.data.categories, usage: response.usage }, 'router classified a request');
    return { ...choice.data, call: { model: resolved, usage } };
  }
}
