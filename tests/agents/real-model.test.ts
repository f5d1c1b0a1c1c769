import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { loadAgents } from '../../src/agents/agents-loader';
import { ClaudeAgentRunner } from '../../src/agents/claude-agent-runner';
import type { AgentToolStore } from '../../src/agents/tools/agent-tool-store';
import { createToolRegistry } from '../../src/agents/tools/tool-registry';
import { createLogger } from '../../src/logger';

const store: AgentToolStore = {
  artifacts: async () => [],
  migrations: async () => [],
  events: async () => [],
  branchCreating: async () => undefined,
};
const withKey = process.env.ANTHROPIC_API_KEY ? it : it.skip;

describe('the api-designer on the real Messages API (only with ANTHROPIC_API_KEY)', () => {
  withKey(
    'hands off a TypeScript contract for user preferences, with its usage and estimated cost',
    async () => {
      const client = new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY, maxRetries: 4 });
      const runner = new ClaudeAgentRunner({
        client,
        agents: loadAgents(join(__dirname, '..', '..', 'agents')),
        tools: createToolRegistry({ store, sql: { timeoutMs: 5000, rowLimit: 50 } }),
        model: process.env.ANTHROPIC_MODEL ?? 'claude-sonnet-4-6',
        logger: createLogger('silent'),
        tokenBudget: 200_000,
      });

      const outcome = await runner.run({
        workflowId: 1,
        stepId: 1,
        agent: 'api-designer',
        stepTitle: '[1/5] Design the data contract',
        tasks: ['Design TypeScript interfaces', 'Define data contracts'],
        request:
          'Add a new table for user preferences: theme (light or dark) and locale, one row per user. Do not ask questions; ' +
          'choose defaults.',
        requester: '<@U0REQUEST1>',
        earlierHandoffs: [],
        comments: [],
      });

      expect(outcome.type).toBe('handoff');
      if (outcome.type !== 'handoff') return;
      expect(outcome.handoff.artifacts.some((a) => a.kind === 'typescript' && /interface/.test(a.content))).toBe(true);
      expect(outcome.usage.output_tokens).toBeGreaterThan(0);
      expect(outcome.usage.cost_usd).toBeGreaterThan(0);
    },
    180_000,
  );
});
