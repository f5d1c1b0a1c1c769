import { FakePromptCache } from './fake-prompt-cache';

const MODEL = 'claude-sonnet-4-6';
const big = (label: string) => `${label} ${'x'.repeat(6000)}`;
const ephemeral = { type: 'ephemeral' };
const tools = [
  { name: 'submit_handoff', description: big('tool'), input_schema: { type: 'object' }, cache_control: ephemeral },
];

function request(system: string, messages: Array<{ role: string; content: unknown }>) {
  return { model: MODEL, tools, system: [{ type: 'text', text: system, cache_control: ephemeral }], messages };
}

describe('the fake prompt cache', () => {
  it('writes the prefix up to the last breakpoint on the first request and reads it on the next', () => {
    const cache = new FakePromptCache();
    const user = { role: 'user', content: [{ type: 'text', text: big('task'), cache_control: ephemeral }] };
    const first = cache.usage(request(big('system'), [user]));
    expect(first.cache_read_input_tokens).toBe(0);
    expect(first.cache_creation_input_tokens).toBeGreaterThan(4000);
    expect(first.input_tokens).toBe(0);

    const assistant = { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'list_tables', input: {} }] };
    const result = {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 't1', content: 'rows', cache_control: ephemeral }],
    };
    const second = cache.usage(
      request(big('system'), [{ role: 'user', content: [{ type: 'text', text: big('task') }] }, assistant, result]),
    );
    expect(second.cache_read_input_tokens).toBe(first.cache_creation_input_tokens);
    expect(second.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(second.cache_creation_input_tokens).toBeLessThan(100);
  });

  it('shares only the tools between two agents with different system prompts', () => {
    const cache = new FakePromptCache();
    const task = [{ role: 'user', content: 'Do it' }];
    cache.usage(request(big('api-designer'), task));
    const other = cache.usage(request(big('backend-engineer'), task));
    expect(other.cache_read_input_tokens).toBeGreaterThan(1500);
    expect(other.cache_read_input_tokens).toBeLessThan(1600);
  });

  it('caches nothing below the minimum length, and nothing without a breakpoint', () => {
    const cache = new FakePromptCache();
    const small = {
      model: MODEL,
      system: [{ type: 'text', text: 'short', cache_control: ephemeral }],
      messages: [{ role: 'user', content: 'hi' }],
    };
    cache.usage(small);
    expect(cache.usage(small)).toMatchObject({ cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
    const plain = { model: MODEL, system: big('system'), messages: [{ role: 'user', content: 'hi' }] };
    cache.usage(plain);
    expect(cache.usage(plain)).toMatchObject({ cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
  });

  it('forgets an entry after five minutes', () => {
    let now = 0;
    const cache = new FakePromptCache(() => now);
    const body = request(big('system'), [{ role: 'user', content: 'hi' }]);
    cache.usage(body);
    now = 5 * 60_000;
    expect(cache.usage(body).cache_read_input_tokens).toBe(0);
  });
});
