/** ClaudeAgentRunner's conversation: questions and resuming, reminders, replies cut off, damaged conversations, maxTurns. */
import { AgentFailedError } from '../../src/domain/errors';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic';
import { AGENT, runner, task, textOf, validHandoff } from './claude-agent-runner-fixtures';

describe('ClaudeAgentRunner', () => {
  let fake: FakeAnthropic;

  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });

  afterEach(async () => {
    await fake.close();
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
});
