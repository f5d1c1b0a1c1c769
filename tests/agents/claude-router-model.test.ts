import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { loadAgents } from '../../src/agents/agents-loader';
import { ClaudeRouterModel } from '../../src/agents/claude-router-model';
import { AgentFailedError } from '../../src/domain/errors';
import { createLogger } from '../../src/logger';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic';

const MODEL = 'claude-sonnet-4-6';
const router = loadAgents(join(__dirname, '..', '..', 'agents')).get('router')!;

describe('ClaudeRouterModel', () => {
  let fake: FakeAnthropic;
  let model: ClaudeRouterModel;

  beforeEach(async () => {
    fake = await startFakeAnthropic();
    const client = new Anthropic({ apiKey: 'test-key', baseURL: fake.baseUrl, maxRetries: 0 });
    model = new ClaudeRouterModel({ client, router, model: MODEL, logger: createLogger('silent') });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('returns the categories and reason of the forced choose_workflow call, primary first', async () => {
    fake.script('router', [
      {
        toolUse: {
          name: 'choose_workflow',
          input: { categories: ['schema', 'api'], reason: 'A new table with an endpoint on it.' },
        },
      },
    ]);

    const choice = await model.classify('Track course progress and let the app read it');

    expect(choice).toMatchObject({
      categories: ['schema', 'api'],
      reason: 'A new table with an endpoint on it.',
      call: { model: MODEL },
    });
    expect(choice.call.usage.input_tokens + choice.call.usage.output_tokens).toBeGreaterThan(0);
    expect(choice.call.usage.cost_usd).toBeGreaterThan(0);
    const body = fake.requests[0]?.body;
    expect(body?.tool_choice).toEqual({ type: 'tool', name: 'choose_workflow' });
    expect(body?.model).toBe(MODEL);
    expect(body?.tools?.[0]).toMatchObject({
      name: 'choose_workflow',
      cache_control: { type: 'ephemeral' },
      input_schema: { type: 'object' },
    });
    expect(body?.system).toEqual([{ type: 'text', text: router.prompt, cache_control: { type: 'ephemeral' } }]);
    expect(body?.messages).toEqual([
      { role: 'user', content: '<request>\nTrack course progress and let the app read it\n</request>' },
    ]);
    fake.assertNoUnexpected();
  });

  it('refuses an answer with an unknown category as a non-retryable AgentFailedError', async () => {
    fake.script('router', [
      { toolUse: { name: 'choose_workflow', input: { categories: ['billing'], reason: 'Money.' } } },
    ]);

    const error = await model.classify('Change the invoice layout').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AgentFailedError);
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringMatching(/^The router could not classify the request \(categories\.0: .*\)\. Rephrase it/),
    });
  });

  it('refuses more than three categories or a repeated one', async () => {
    fake.script('router', [
      {
        toolUse: {
          name: 'choose_workflow',
          input: { categories: ['schema', 'api', 'cicd', 'query_rls'], reason: 'Everything.' },
        },
      },
      { toolUse: { name: 'choose_workflow', input: { categories: ['schema', 'schema'], reason: 'Twice.' } } },
    ]);

    await expect(model.classify('Do it all')).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/categories/),
    });
    await expect(model.classify('Do it twice')).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/list each category once/),
    });
  });

  it('turns a 529 into a retryable AgentFailedError', async () => {
    fake.script('router', [{ status: 529 }]);

    await expect(model.classify('Add preview deployments for PRs')).rejects.toMatchObject({
      retryable: true,
      message: expect.stringMatching(/overloaded/),
    });
  });
});
