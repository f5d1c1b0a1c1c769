import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { ClaudeAgentRunner } from '../../src/agents/claude-agent-runner';
import { loadAgents } from '../../src/agents/agents-loader';
import type { AgentDefinition } from '../../src/agents/agent-definition';
import type { AgentTask } from '../../src/engine/ports/agent-runner';
import type { AgentToolStore } from '../../src/agents/tools/agent-tool-store';
import { createToolRegistry } from '../../src/agents/tools/tool-registry';
import { AgentFailedError, HandoffInvalidError } from '../../src/domain/errors';
import { createLogger } from '../../src/logger';
import { startFakeAnthropic, type FakeAnthropic, type FakeAnthropicRequest } from '../support/fake-anthropic';

const MODEL = 'claude-sonnet-4-6';
const AGENT = 'data-migration-specialist';
const logger = createLogger('silent');
const agents = loadAgents(join(__dirname, '..', '..', 'agents'));

const migration = {
  name: 'create_user_preferences',
  up_sql:
    'create table public.user_preferences (user_id uuid primary key references auth.users (id) on delete cascade, theme text not null);\nalter table public.user_preferences enable row level security;',
  down_sql: 'drop table public.user_preferences;',
};
const validHandoff = {
  summary: 'Migration create_user_preferences with rollback.',
  context: 'One row per user; down_sql drops the table and its data.',
  artifacts: [{ path: 'supabase/migrations/create_user_preferences.sql', kind: 'sql', content: migration.up_sql }],
  next_steps: ['Write RLS policies on user_id'],
  constraints: ['Rows are owned by auth.users'],
  migration,
};

const task: AgentTask = {
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

const emptyStore: AgentToolStore = {
  artifacts: async () => [],
  migrations: async () => [],
  events: async () => [],
  branchCreating: async () => undefined,
};

function runner(
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
function textOf(message: FakeAnthropicRequest['body']['messages'][number] | undefined): string {
  if (message === undefined) return '';
  return typeof message.content === 'string'
    ? message.content
    : message.content.map((b) => (typeof b.text === 'string' ? b.text : '')).join('');
}

describe('ClaudeAgentRunner', () => {
  let fake: FakeAnthropic;

  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });

  afterEach(async () => {
    await fake.close();
  });

  it('returns a valid handoff with defaults applied and the conversation ending at the tool call', async () => {
    fake.script(AGENT, [
      { toolUse: { name: 'submit_handoff', input: { summary: 'Done.', context: 'Table added.', migration } } },
    ]);

    const outcome = await runner(fake).run(task);

    expect(outcome.type).toBe('handoff');
    if (outcome.type !== 'handoff') return;
    expect(outcome.handoff).toEqual({
      summary: 'Done.',
      context: 'Table added.',
      artifacts: [],
      next_steps: [],
      constraints: [],
      migration,
    });
    expect(outcome.conversation).toMatchObject({ version: 1, agent: AGENT });
    const messages = (outcome.conversation as { messages: Array<{ role: string; content: unknown }> }).messages;
    expect(messages.at(-1)).toMatchObject({
      role: 'assistant',
      content: [{ type: 'tool_use', name: 'submit_handoff' }],
    });
    expect(fake.requests[0]?.body).toMatchObject({ model: MODEL, max_tokens: 4096 });
    fake.assertNoUnexpected();
  });

  it('sends the rendered task with earlier handoffs in the seed format, comments and the previous error', async () => {
    fake.script(AGENT, [{ toolUse: { name: 'submit_handoff', input: validHandoff } }]);

    await runner(fake).run(task);

    const first = fake.requests[0]?.body.messages[0];
    const text = textOf(first);
    expect(first?.role).toBe('user');
    for (const expected of [
      'Add a new table for user preferences',
      'Requested by: <@U0ALICE001>',
      '# Your step: [2/5] Write and test the migration',
      '1. Write migration SQL',
      '## Handoff: api-designer → data-migration-specialist',
      '**Next Steps**:',
      'export interface UserPreferencesRow',
      '{"author":"U0BOB00001","role":"approver","text":"Keep it small please"}',
      '<untrusted-data-',
      'relation already exists',
    ]) {
      expect(text).toContain(expected);
    }
    expect(fake.requests[0]?.systemText).toContain('You are the data-migration-specialist');
    fake.assertNoUnexpected();
  });

  it('sends an invalid handoff back with the validation error and accepts the corrected one', async () => {
    fake.script(AGENT, [
      {
        toolUse: {
          name: 'submit_handoff',
          input: { summary: 'Done.', artifacts: [{ path: 'x.sql', kind: 'rust', content: '' }] },
        },
      },
      (request) => {
        expect(request.toolResults).toHaveLength(1);
        expect(request.toolResults[0]?.is_error).toBe(true);
        expect(request.toolResults[0]?.text).toMatch(/context/);
        expect(request.toolResults[0]?.text).toMatch(/artifacts\[0\]\.kind/);
        return { toolUse: { name: 'submit_handoff', input: validHandoff } };
      },
    ]);

    const outcome = await runner(fake).run(task);

    expect(outcome).toMatchObject({ type: 'handoff', handoff: { summary: validHandoff.summary, migration } });
    expect(fake.requests).toHaveLength(2);
    fake.assertNoUnexpected();
  });

  it('offers and accepts only the typed outputs of the step: a migration from a step without one goes back to the model', async () => {
    const devops: AgentTask = { ...task, outputs: ['pipeline'], optionalOutputs: [] };
    const pipeline = { files: ['.github/workflows/ci.yml'], secrets: [], environments: [] };
    fake.script(AGENT, [
      { toolUse: { name: 'submit_handoff', input: { ...validHandoff, pipeline } } },
      (request) => {
        expect(request.toolResults[0]).toMatchObject({
          is_error: true,
          text: expect.stringMatching(
            /this step may not hand off migration: its typed outputs are pipeline; remove it/,
          ),
        });
        const { migration: _smuggled, ...rest } = validHandoff;
        return { toolUse: { name: 'submit_handoff', input: { ...rest, pipeline } } };
      },
    ]);

    const outcome = await runner(fake).run(devops);

    expect(outcome.type === 'handoff' && outcome.handoff.migration).toBeUndefined();
    const schema = fake.requests[0]!.body.tools!.find((t) => t.name === 'submit_handoff')!.input_schema as {
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties).sort()).toEqual([
      'artifacts',
      'constraints',
      'context',
      'function_checks',
      'next_steps',
      'pipeline',
      'smoke_tests',
      'summary',
    ]);
    expect(schema.required.sort()).toEqual(['context', 'pipeline', 'summary']);
    expect(schema.additionalProperties).toBe(false);
    fake.assertNoUnexpected();
  });

  it('offers an optional typed output as optional, and takes a handoff without it', async () => {
    fake.script(AGENT, [
      {
        toolUse: {
          name: 'submit_handoff',
          input: { summary: 'Policies only.', context: 'No SQL needed.', policies: [] },
        },
      },
    ]);

    const outcome = await runner(fake).run({ ...task, outputs: ['policies'], optionalOutputs: ['migration'] });

    expect(outcome).toMatchObject({ type: 'handoff', handoff: { policies: [] } });
    const schema = fake.requests[0]!.body.tools!.find((t) => t.name === 'submit_handoff')!.input_schema as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(schema.properties).toHaveProperty('migration');
    expect(schema.required).not.toContain('migration');
    expect(textOf(fake.requests[0]?.body.messages[0])).toContain(
      'Your handoff may include, when your work needs it:\n- migration { name, up_sql, down_sql }',
    );
  });

  it('sends a handoff back when it lacks the typed output its step requires, saying which one', async () => {
    const { migration: _left, ...withoutMigration } = validHandoff;
    fake.script(AGENT, [
      { toolUse: { name: 'submit_handoff', input: withoutMigration } },
      (request) => {
        expect(request.toolResults[0]).toMatchObject({
          is_error: true,
          text: expect.stringMatching(/this step requires migration \{ name, up_sql, down_sql \}[\s\S]*at migration/),
        });
        return { toolUse: { name: 'submit_handoff', input: validHandoff } };
      },
    ]);

    const outcome = await runner(fake).run({ ...task, outputs: ['migration'] });

    expect(outcome).toMatchObject({ type: 'handoff', handoff: { migration } });
    expect(textOf(fake.requests[0]?.body.messages[0])).toContain(
      '# Typed output\nYour handoff must include:\n- migration { name, up_sql, down_sql }',
    );
    fake.assertNoUnexpected();
  });

  it('gives up after 3 invalid handoffs with a readable, non-retryable error', async () => {
    const invalid = { toolUse: { name: 'submit_handoff', input: { summary: '' } } };
    fake.script(AGENT, [invalid, invalid, invalid]);

    const error = await runner(fake)
      .run(task)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HandoffInvalidError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toMatch(
      /^data-migration-specialist did not produce a valid handoff \(3 attempts; last problems: summary: .*context: .*\)\. Retry the workflow or rephrase the request\.$/,
    );
    expect(fake.requests).toHaveLength(3);
    fake.assertNoUnexpected();
  });

  it('ends the run at a question, and resume continues the same conversation with the answer as the tool_result', async () => {
    fake.script(AGENT, [
      {
        toolUse: {
          id: 'toolu_01question',
          name: 'ask_user',
          input: { question: 'One row per user, or per user and device?' },
        },
      },
    ]);

    const first = await runner(fake).run(task);

    expect(first).toMatchObject({
      type: 'question',
      question: 'One row per user, or per user and device?',
      toolUseId: 'toolu_01question',
    });
    if (first.type !== 'question') return;
    const stored: unknown = JSON.parse(JSON.stringify(first.conversation));
    fake.script(AGENT, [{ toolUse: { name: 'submit_handoff', input: validHandoff } }]);

    const second = await runner(fake).run(task, {
      conversation: stored,
      answer: { toolUseId: 'toolu_01question', text: 'Per user', user: '<@U0ALICE001>' },
    });

    expect(second).toMatchObject({ type: 'handoff', handoff: { summary: validHandoff.summary } });
    const resumed = fake.requests[1];
    expect(resumed?.body.messages).toHaveLength(3);
    expect(textOf(resumed?.body.messages[0])).toEqual(textOf(fake.requests[0]?.body.messages[0]));
    expect(resumed?.body.messages[1]).toEqual({
      role: 'assistant',
      content: [
        {
          type: 'tool_use',
          id: 'toolu_01question',
          name: 'ask_user',
          input: { question: 'One row per user, or per user and device?' },
        },
      ],
    });
    expect(resumed?.toolResults).toEqual([
      {
        tool_use_id: 'toolu_01question',
        is_error: false,
        text: '<@U0ALICE001> answered: Per user',
        content: '<@U0ALICE001> answered: Per user',
      },
    ]);
    fake.assertNoUnexpected();
  });

  it('refuses to resume a conversation whose pending question has another id', async () => {
    fake.script(AGENT, [
      { toolUse: { id: 'toolu_01question', name: 'ask_user', input: { question: 'Which schema?' } } },
    ]);
    const first = await runner(fake).run(task);

    const error = await runner(fake)
      .run(task, {
        conversation: first.conversation,
        answer: { toolUseId: 'toolu_01other', text: 'public', user: '<@U0ALICE001>' },
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AgentFailedError);
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringMatching(/does not answer .* pending question/),
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('reminds the model to call submit_handoff when it ends its turn with text only', async () => {
    fake.script(AGENT, [
      { text: 'Here is the migration: create table …' },
      { toolUse: { name: 'submit_handoff', input: validHandoff } },
    ]);

    const outcome = await runner(fake).run(task);

    expect(outcome.type).toBe('handoff');
    const messages = fake.requests[1]?.body.messages ?? [];
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'Here is the migration: create table …' }],
    });
    expect(JSON.stringify(messages[2])).toMatch(/without calling a tool.*call submit_handoff/);
    fake.assertNoUnexpected();
  });

  it('tells the model its reply was cut off at max_tokens and lets it hand off', async () => {
    fake.script(AGENT, [
      { text: 'create table public.user_preferences (', stopReason: 'max_tokens' },
      { toolUse: { name: 'submit_handoff', input: validHandoff } },
    ]);

    const outcome = await runner(fake).run(task);

    expect(outcome.type).toBe('handoff');
    expect(textOf(fake.requests[1]?.body.messages.at(-1))).toMatch(
      /^Your reply was cut off at the output limit\. Call submit_handoff now/,
    );
    fake.assertNoUnexpected();
  });

  it('refuses to resume a damaged conversation or one that belongs to another agent', async () => {
    const answer = { toolUseId: 'toolu_01question', text: 'yes', user: '<@U0ALICE001>' };
    const otherAgent = { version: 1, agent: 'api-designer', messages: [{ role: 'user', content: 'hi' }] };

    await expect(runner(fake).run(task, { conversation: { messages: 'lost' }, answer })).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/cannot be resumed/),
    });
    await expect(runner(fake).run(task, { conversation: otherAgent, answer })).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/cannot be resumed/),
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('fails without retry when the model has not handed off within maxTurns', async () => {
    fake.script(AGENT, [{ text: 'Thinking…' }, { text: 'Still thinking…' }]);

    const error = await runner(fake, { maxTurns: 2 })
      .run(task)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AgentFailedError);
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringMatching(/did not finish its step within 2 model calls/),
    });
    fake.assertNoUnexpected();
  });

  it('turns a 529 into a retryable AgentFailedError saying Claude is overloaded', async () => {
    fake.script(AGENT, [{ status: 529 }]);

    const error = await runner(fake)
      .run(task)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AgentFailedError);
    expect(error).toMatchObject({
      retryable: true,
      message: expect.stringMatching(/Claude is overloaded right now; the step will retry/),
    });
  });

  it('turns a 429 into a retryable AgentFailedError', async () => {
    fake.script(AGENT, [{ status: 429, retryAfter: 1 }]);

    await expect(runner(fake).run(task)).rejects.toMatchObject({
      retryable: true,
      message: expect.stringMatching(/rate limit/),
    });
  });

  it('turns a 401 into a non-retryable AgentFailedError that names ANTHROPIC_API_KEY', async () => {
    // The fake answers 401 authentication_error, as the API does, to a request without credentials.
    const withoutKey: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.delete('authorization');
      headers.delete('x-api-key');
      return fetch(input, { ...init, headers });
    };
    fake.script(AGENT, [{ toolUse: { name: 'submit_handoff', input: validHandoff } }]);

    const error = await runner(fake, { fetch: withoutKey })
      .run(task)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AgentFailedError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringMatching(/Check ANTHROPIC_API_KEY/) });
    expect(fake.requests[0]?.status).toBe(401);
    expect(fake.unexpected).toEqual(['request without x-api-key or authorization header']);
  });

  it('turns a refused connection into a retryable AgentFailedError', async () => {
    const closed = runner(fake);
    await fake.close();

    await expect(closed.run(task)).rejects.toMatchObject({
      retryable: true,
      message: expect.stringMatching(/could not connect/),
    });
  });

  it('sums usage over all calls, counting cache reads and writes and a null cache count as zero', async () => {
    const reported = [
      { input_tokens: 1000, output_tokens: 50, cache_creation_input_tokens: 800, cache_read_input_tokens: 0 },
      { input_tokens: 30, output_tokens: 200, cache_creation_input_tokens: null, cache_read_input_tokens: 900 },
    ];
    let call = 0;
    const withUsage: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const body = (await response.json()) as { usage: Record<string, unknown> };
      body.usage = { ...body.usage, ...reported[call++] };
      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
    };
    fake.script(AGENT, [{ text: 'Let me think.' }, { toolUse: { name: 'submit_handoff', input: validHandoff } }]);

    const outcome = await runner(fake, { fetch: withUsage }).run(task);

    expect(outcome.usage).toEqual({
      input_tokens: 1030,
      output_tokens: 250,
      cache_creation_input_tokens: 800,
      cache_read_input_tokens: 900,
      cost_usd: expect.any(Number),
    });
    // Sonnet list prices: $3 input, $3.75 cache write, $0.30 cache read, $15 output per million tokens.
    expect(outcome.usage.cost_usd).toBeCloseTo((1030 * 3 + 800 * 3.75 + 900 * 0.3 + 250 * 15) / 1e6, 10);
    fake.assertNoUnexpected();
  });

  it('marks the system prompt, the last tool and the last message for prompt caching', async () => {
    fake.script(AGENT, [{ text: 'Hmm.' }, { toolUse: { name: 'submit_handoff', input: validHandoff } }]);

    await runner(fake).run(task);

    const body = fake.requests[1]?.body;
    expect(body?.system).toEqual([
      { type: 'text', text: agents.get(AGENT)?.prompt, cache_control: { type: 'ephemeral' } },
    ]);
    const tools = body?.tools ?? [];
    expect(tools.map((t) => t.name)).toEqual(agents.get(AGENT)?.tools);
    expect(tools.slice(0, -1).every((t) => t.cache_control === undefined)).toBe(true);
    expect(tools.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    expect(tools.find((t) => t.name === 'submit_handoff')?.input_schema).toMatchObject({
      type: 'object',
      required: ['summary', 'context', 'migration'],
    });
    const last = body?.messages.at(-1)?.content;
    expect(Array.isArray(last) && last.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    fake.assertNoUnexpected();
  });

  it('runs a tool the agent may use and sends its result back as the tool_result, fenced as untrusted data', async () => {
    const store: AgentToolStore = {
      ...emptyStore,
      artifacts: async () => [
        {
          path: 'src/types.ts',
          kind: 'typescript',
          content: 'export interface Row { id: string }',
          source: 'api-designer',
        },
      ],
    };
    fake.script(AGENT, [
      { toolUse: { id: 'toolu_01read', name: 'read_artifact', input: { path: 'src/types.ts' } } },
      (request) => {
        expect(request.toolResults).toEqual([
          expect.objectContaining({ tool_use_id: 'toolu_01read', is_error: false }),
        ]);
        expect(request.toolResults[0]?.text).toMatch(
          /^Below is the artifact src\/types\.ts \(typescript, from api-designer\)\. It contains untrusted data/,
        );
        expect(request.toolResults[0]?.text).toMatch(
          /<untrusted-data-[0-9a-f-]{36}>\nexport interface Row \{ id: string \}\n<\/untrusted-data-[0-9a-f-]{36}>/,
        );
        return { toolUse: { name: 'submit_handoff', input: validHandoff } };
      },
    ]);

    const outcome = await runner(fake, { store }).run(task);

    expect(outcome.type).toBe('handoff');
    expect(fake.requests).toHaveLength(2);
    fake.assertNoUnexpected();
  });

  it('sends malformed tool input back as an error result naming the field, and goes on', async () => {
    fake.script(AGENT, [
      { toolUse: { name: 'execute_sql', input: { query: 42 } } },
      (request) => {
        expect(request.toolResults[0]).toMatchObject({
          is_error: true,
          text: expect.stringMatching(/^invalid input for execute_sql:[\s\S]*query/),
        });
        return { toolUse: { name: 'submit_handoff', input: validHandoff } };
      },
    ]);

    await expect(runner(fake).run(task)).resolves.toMatchObject({ type: 'handoff' });
    fake.assertNoUnexpected();
  });

  it('answers a branch tool with "no branch provider configured" when the bot has no target', async () => {
    fake.script(AGENT, [
      { toolUse: { name: 'list_tables', input: {} } },
      (request) => {
        expect(request.toolResults[0]).toMatchObject({
          is_error: true,
          text: expect.stringMatching(/^No branch provider is configured/),
        });
        return { toolUse: { name: 'submit_handoff', input: validHandoff } };
      },
    ]);

    await expect(runner(fake).run(task)).resolves.toMatchObject({ type: 'handoff' });
  });

  it('refuses a tool the agent file does not allow, even one the bot has', async () => {
    fake.script('api-designer', [
      { toolUse: { name: 'execute_sql', input: { query: 'select 1' } } },
      (request) => {
        expect(request.toolResults[0]).toMatchObject({
          is_error: true,
          text: expect.stringMatching(
            /unknown tool "execute_sql"; your tools are: list_tables, read_artifact, ask_user, submit_handoff/,
          ),
        });
        return { toolUse: { name: 'submit_handoff', input: validHandoff } };
      },
    ]);

    await expect(runner(fake).run({ ...task, agent: 'api-designer' })).resolves.toMatchObject({ type: 'handoff' });
    expect(fake.unexpected).toEqual([
      'api-designer: scripted tool "execute_sql" is not among the request\'s tools [list_tables, read_artifact, ask_user, submit_handoff]',
    ]);
  });

  it('tells the observer what the agent does and the usage and estimated cost of every call', async () => {
    fake.script(AGENT, [
      { toolUse: { name: 'list_migrations', input: {} } },
      { toolUse: { name: 'submit_handoff', input: validHandoff } },
    ]);
    const activities: string[] = [];
    const calls: Array<{ model: string; usage: { input_tokens: number; cost_usd: number } }> = [];

    const outcome = await runner(fake).run(task, undefined, {
      progress: (a) => activities.push(a),
      call: (c) => calls.push(c),
    });

    expect(activities).toEqual(['thinking…', 'calling list_migrations…', 'thinking (model call 2)…', 'handing off…']);
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => c.model === MODEL && c.usage.cost_usd > 0)).toBe(true);
    expect(outcome.usage.cost_usd).toBeCloseTo(calls[0]!.usage.cost_usd + calls[1]!.usage.cost_usd, 10);
  });

  it("reads the first call's prefix from the cache on the second call of a step", async () => {
    fake.script(AGENT, [
      { toolUse: { name: 'list_migrations', input: {} } },
      { toolUse: { name: 'submit_handoff', input: validHandoff } },
    ]);
    const calls: Array<{
      usage: { input_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number };
    }> = [];

    await runner(fake).run(task, undefined, { call: (c) => calls.push(c) });

    const [first, second] = calls.map((c) => c.usage);
    expect(first?.cache_read_input_tokens).toBe(0);
    expect(first?.cache_creation_input_tokens).toBeGreaterThan(1024);
    expect(second?.cache_read_input_tokens).toBe(first!.cache_creation_input_tokens);
  });

  it('stops with a non-retryable error once the step has used its token budget, counting earlier runs', async () => {
    fake.script(AGENT, [{ toolUse: { name: 'list_migrations', input: {} } }]);
    const spent = {
      input_tokens: 900,
      output_tokens: 100,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
      cost_usd: 0,
    };

    const error = await runner(fake, { tokenBudget: 2000 })
      .run({ ...task, spent })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AgentFailedError);
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringMatching(
        /^data-migration-specialist used [\d,]+ tokens, over the step's budget of 2,000 \(INFRA_STEP_TOKEN_BUDGET\)/,
      ),
    });
    expect(fake.requests).toHaveLength(1);
  });

  it("stops a call that outlasts the step's time budget with a non-retryable error", async () => {
    fake.script(AGENT, [{ hang: true }]);

    const error = await runner(fake, { timeBudgetMs: 300 })
      .run(task)
      .catch((e: unknown) => e);

    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringMatching(
        /did not finish within the step's time budget of 0 s \(INFRA_STEP_TIME_BUDGET_MS\)/,
      ),
    });
  });

  it('retries 429 and 529 answers with backoff inside the call and goes on', async () => {
    fake.script(AGENT, [
      { status: 429, retryAfter: 0 },
      { status: 529 },
      { toolUse: { name: 'submit_handoff', input: validHandoff } },
    ]);

    const outcome = await runner(fake, { maxRetries: 2 }).run(task);

    expect(outcome.type).toBe('handoff');
    expect(fake.requests.map((r) => r.status)).toEqual([429, 529, 200]);
    expect(fake.requests[2]!.time - fake.requests[1]!.time).toBeGreaterThanOrEqual(300);
    fake.assertNoUnexpected();
  });

  it('refuses an agent that is not defined, without calling Claude', async () => {
    await expect(runner(fake).run({ ...task, agent: 'dba' })).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/There is no agent named "dba"\. Add agents\/dba\.md/),
    });
    expect(fake.requests).toHaveLength(0);
  });
});
