/** ClaudeAgentRunner's failures: API errors and retries, token and time budgets, an undefined agent. */
import { AgentFailedError } from '../../src/domain/errors';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic';
import { AGENT, runner, task, validHandoff } from './claude-agent-runner-fixtures';

describe('ClaudeAgentRunner', () => {
  let fake: FakeAnthropic;

  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });

  afterEach(async () => {
    await fake.close();
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
