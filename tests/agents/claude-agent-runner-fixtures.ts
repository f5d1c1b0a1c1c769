/** What the ClaudeAgentRunner tests share: a task with earlier handoffs, a valid handoff, and a runner on the fake Anthropic. */
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { ClaudeAgentRunner } from '../../src/agents/claude-agent-runner';
import { loadAgents } from '../../src/agents/agents-loader';
import type { AgentDefinition } from '../../src/agents/agent-definition';
import type { AgentTask } from '../../src/engine/ports/agent-runner';
import type { AgentToolStore } from '../../src/agents/tools/agent-tool-store';
import { createToolRegistry } from '../../src/agents/tools/tool-registry';
import { createLogger } from '../../src/logger';
import type { FakeAnthropic, FakeAnthropicRequest } from '../support/fake-anthropic';

export const MODEL = 'claude-sonnet-4-6';
export const AGENT = 'data-migration-specialist';
export const logger = createLogger('silent');
export const agents = loadAgents(join(__dirname, '..', '..', 'agents'));

export const migration = {
  name: 'create_user_preferences',
  up_sql:
    'create table public.user_preferences (user_id uuid primary key references auth.users (id) on delete cascade, theme text ' +
    'not null);\nalter table public.user_preferences enable row level security;',
  down_sql: 'drop table public.user_preferences;',
};
export const validHandoff = {
  summary: 'Migration create_user_preferences with rollback.',
  context: 'One row per user; down_sql drops the table and its data.',
  artifacts: [{ path: 'supabase/migrations/create_user_preferences.sql', kind: 'sql', content: migration.up_sql }],
  next_steps: ['Write RLS policies on user_id'],
  constraints: ['Rows are owned by auth.users'],
  migration,
};

export const task: AgentTask = {
  workflowId: 7,
  stepId: 21,
  agent: AGENT,
  stepTitle: '[2/5] Write and test the migration',
  tasks: ['Write migration SQL', 'Create rollback plan'],
  outputs: ['migration'],
  request: 'Add a new table for user preferences',
  requester: '<@U0ALICE001>',
  earlierHandoffs: [
    {
      agent: 'api-designer',
      stepTitle: '[1/5] Design the data contract',
      handoff: {
        summary: 'UserPreferences interface.',
        context: 'Theme per user.',
        artifacts: [
          {
            path: 'src/modules/core/types/preferences.ts',
            kind: 'typescript',
            content: 'export interface UserPreferencesRow { user_id: string; theme: string }',
          },
        ],
        next_steps: ['Create the user_preferences table'],
        constraints: ['theme is light or dark'],
      },
    },
  ],
  comments: [{ user: 'U0BOB00001', role: 'approver', text: 'Keep it small please' }],
  previousError: 'the round trip failed: relation already exists',
};

export const emptyStore: AgentToolStore = {
  artifacts: async () => [],
  migrations: async () => [],
  events: async () => [],
  branchCreating: async () => undefined,
};

export function runner(
  fake: FakeAnthropic,
  options: Partial<{
    maxTurns: number;
    agents: Map<string, AgentDefinition>;
    fetch: typeof fetch;
    tokenBudget: number;
    timeBudgetMs: number;
    maxRetries: number;
    store: AgentToolStore;
  }> = {},
): ClaudeAgentRunner {
  const client = new Anthropic({
    apiKey: 'test-key',
    baseURL: fake.baseUrl,
    maxRetries: options.maxRetries ?? 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const tools = createToolRegistry({ store: options.store ?? emptyStore, sql: { timeoutMs: 1000, rowLimit: 10 } });
  return new ClaudeAgentRunner({
    client,
    agents: options.agents ?? agents,
    tools,
    model: MODEL,
    logger,
    maxTurns: options.maxTurns,
    tokenBudget: options.tokenBudget,
    timeBudgetMs: options.timeBudgetMs,
  });
}

/** The text of a request message, whether sent as a string or as blocks. */
export function textOf(message: FakeAnthropicRequest['body']['messages'][number] | undefined): string {
  if (message === undefined) return '';
  return typeof message.content === 'string'
    ? message.content
    : message.content.map((b) => (typeof b.text === 'string' ? b.text : '')).join('');
}
