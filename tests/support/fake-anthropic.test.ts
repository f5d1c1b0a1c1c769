import Anthropic, { type APIError } from '@anthropic-ai/sdk';
import { startFakeAnthropic, type FakeAnthropic } from './fake-anthropic';

const MODEL = 'claude-sonnet-4-6';

describe('fake Anthropic with the real SDK', () => {
  let fake: FakeAnthropic;
  let anthropic: Anthropic;
  const tools = [
    {
      name: 'propose_plan',
      description: 'Propose a migration plan',
      input_schema: { type: 'object' as const, properties: { steps: { type: 'array', items: { type: 'string' } } } },
    },
  ];

  beforeEach(async () => {
    fake = await startFakeAnthropic();
    anthropic = new Anthropic({ apiKey: 'test', baseURL: fake.baseUrl, maxRetries: 0 });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('answers a scripted tool_use turn in the Messages API shape', async () => {
    fake.script('planner', [
      { toolUse: { name: 'propose_plan', input: { steps: ['add index'] } }, text: 'Here is the plan.' },
    ]);

    const message = await anthropic.messages.create({
      model: MODEL,
      max_tokens: 1024,
      system: 'You are an infra agent.\nname: planner',
      tools,
      messages: [{ role: 'user', content: 'Plan the migration' }],
    });

    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: MODEL,
      stop_reason: 'tool_use',
      stop_sequence: null,
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content[0]).toEqual({ type: 'text', text: 'Here is the plan.', citations: null });
    expect(message.content[1]).toMatchObject({
      type: 'tool_use',
      name: 'propose_plan',
      input: { steps: ['add index'] },
    });
    expect(message.content[1]?.type === 'tool_use' && message.content[1].id).toMatch(/^toolu_/);
    expect(message.usage.input_tokens).toBeGreaterThan(10);
    expect(message.usage.cache_read_input_tokens).toBe(0);
    // SDK 1.x sends the API key as `Authorization: Bearer`, not `x-api-key`; the fake redacts both.
    expect(fake.requests[0]).toMatchObject({ agent: 'planner', headers: { authorization: '<redacted>' } });
    expect(fake.requests[0]?.headers['anthropic-version']).toBeDefined();
    fake.assertNoUnexpected();
  });

  it('picks the agent from the system prompt and consumes each agent’s turns in order', async () => {
    fake.script('reviewer', [{ text: 'LGTM' }, { text: 'Still LGTM' }]);
    fake.script('planner', [
      { toolUse: { name: 'propose_plan', input: { steps: [] } } },
      (request) => ({ text: `got ${request.toolResults[0]?.text ?? 'nothing'}` }),
    ]);
    const ask = (system: string, messages: Anthropic.MessageParam[]) =>
      anthropic.messages.create({
        model: MODEL,
        max_tokens: 256,
        system: [{ type: 'text', text: system }],
        tools,
        messages,
      });

    const first = await ask('name: planner', [{ role: 'user', content: 'go' }]);
    const review = await ask('You are the reviewer', [{ role: 'user', content: 'review' }]);
    const toolUse = first.content.find((b) => b.type === 'tool_use');
    const second = await ask('name: planner', [
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: first.content.map((b) =>
          b.type === 'tool_use'
            ? { type: 'tool_use' as const, id: b.id, name: b.name, input: b.input }
            : { type: 'text' as const, text: b.type === 'text' ? b.text : '' },
        ),
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: toolUse?.type === 'tool_use' ? toolUse.id : '', content: 'plan stored' },
        ],
      },
    ]);

    expect(review.content).toEqual([{ type: 'text', text: 'LGTM', citations: null }]);
    expect(review.stop_reason).toBe('end_turn');
    expect(second.content[0]).toMatchObject({ type: 'text', text: 'got plan stored' });
    expect(fake.remainingTurns('reviewer')).toBe(1);
    expect(fake.remainingTurns('planner')).toBe(0);
    fake.assertNoUnexpected();
  });

  it('surfaces a scripted 529 as an OverloadedError with status 529 and the request id', async () => {
    fake.script('planner', [{ status: 529 }]);

    const error = await anthropic.messages
      .create({ model: MODEL, max_tokens: 10, system: 'name: planner', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toBeInstanceOf(Anthropic.OverloadedError);
    expect(error).toMatchObject({ status: 529, type: 'overloaded_error' });
    expect((error as APIError).requestID).toMatch(/^req_/);
  });

  it('surfaces a scripted 429 as a RateLimitError carrying retry-after', async () => {
    fake.script('planner', [{ status: 429, retryAfter: 3 }]);
    const error = await anthropic.messages
      .create({ model: MODEL, max_tokens: 10, system: 'name: planner', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as APIError).headers?.get('retry-after')).toBe('3');
  });

  it('refuses a tool_use that is not followed by its tool_result, as the API does', async () => {
    fake.script('planner', [{ text: 'never sent' }]);
    const error = await anthropic.messages
      .create({
        model: MODEL,
        max_tokens: 10,
        system: 'name: planner',
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'propose_plan', input: {} }] },
          { role: 'user', content: 'what now?' },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(fake.unexpected[0]).toMatch(
      /tool_use` ids were found without `tool_result` blocks immediately after: toolu_1/,
    );
    expect(fake.remainingTurns('planner')).toBe(1);
  });

  it('answers a request without anthropic-version with 400 invalid_request_error and records it', async () => {
    const response = await fetch(`${fake.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'test' },
      body: JSON.stringify({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
    });
    expect(fake.unexpected).toEqual(['request without anthropic-version header']);
  });

  it('records an unexpected request when an agent has no scripted turn left', async () => {
    fake.script('planner', []);
    await expect(
      anthropic.messages.create({
        model: MODEL,
        max_tokens: 10,
        system: 'name: planner',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toMatchObject({ status: 500 });
    expect(fake.unexpected).toEqual(['no scripted turn left for planner']);
  });

  it('keeps a hanging call open until the client gives up', async () => {
    fake.script('planner', [{ hang: true }]);
    const call = anthropic.messages.create(
      { model: MODEL, max_tokens: 10, system: 'name: planner', messages: [{ role: 'user', content: 'hi' }] },
      { timeout: 300 },
    );
    await fake.waitFor(() => fake.requests.length === 1, { description: 'the hanging request' });
    await expect(call).rejects.toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    expect(fake.requests[0]?.status).toBeUndefined();
  });
});
