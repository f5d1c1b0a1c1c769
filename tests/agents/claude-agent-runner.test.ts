import type { AgentTask } from '../../src/engine/ports/agent-runner';
import { HandoffInvalidError } from '../../src/domain/errors';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic';
import { AGENT, MODEL, migration, runner, task, textOf, validHandoff } from './claude-agent-runner-fixtures';

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

  it('sends the rendered task with earlier handoffs in the orchestrator handoff format, comments and the previous error', async () => {
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
      new RegExp(
        '^data-migration-specialist did not produce a valid handoff \\(3 attempts; last problems: summary: .*context: .*\\)\\. ' +
          'Retry the workflow or rephrase the request\\.$',
      ),
    );
    expect(fake.requests).toHaveLength(3);
    fake.assertNoUnexpected();
  });
});
