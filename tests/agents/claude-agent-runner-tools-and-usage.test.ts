/** ClaudeAgentRunner's usage and prompt caching, the tools an agent may run, and what the observer hears. */
import type { AgentToolStore } from '../../src/agents/tools/agent-tool-store';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic';
import { AGENT, agents, emptyStore, MODEL, runner, task, validHandoff } from './claude-agent-runner-fixtures';

describe('ClaudeAgentRunner', () => {
  let fake: FakeAnthropic;

  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });

  afterEach(async () => {
    await fake.close();
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
});
