import { join } from 'node:path';
import type { AgentTask } from '../../src/engine/ports/agent-runner';
import { composePlan } from '../../src/engine/plan/compose-plan';
import { classifyRequest } from '../../src/engine/plan/decision-tree';
import { loadWorkflowLibrary } from '../../src/engine/plan/definitions-loader';
import { SAMPLE_REQUESTS } from './sample-requests';
import { SCRIPTED_MARK, ScriptedAgentRunner } from './scripted-agent-runner';

function task(request: string, agent: string, extra: Partial<AgentTask> = {}): AgentTask {
  return {
    workflowId: 1,
    stepId: 7,
    agent,
    stepTitle: '[1/3] Step',
    tasks: [],
    request,
    requester: 'U0REQUEST1',
    earlierHandoffs: [],
    comments: [],
    ...extra,
  };
}

describe('the scripted demo model', () => {
  const runner = new ScriptedAgentRunner();

  it('hands off a validated migration for the user preferences request and says it is scripted', async () => {
    const outcome = await runner.run(
      task('Add a new table for user preferences', 'data-migration-specialist', { outputs: ['migration'] }),
    );
    expect(outcome.type).toBe('handoff');
    if (outcome.type !== 'handoff') return;
    expect(outcome.handoff.summary.startsWith(SCRIPTED_MARK)).toBe(true);
    expect(outcome.handoff.migration?.name).toBe('create_user_preferences');
  });

  it('gives every agent of every sample request a handoff that starts with the scripted mark', async () => {
    // Every typed output allowed: this is about the mark; the next test holds each step to its own outputs.
    const any: Partial<AgentTask> = { optionalOutputs: ['contract', 'migration', 'policies', 'pipeline'] };
    for (const sample of SAMPLE_REQUESTS) {
      for (const agent of Object.keys(sample.handoffs)) {
        const first = await runner.run(task(sample.request, agent, any));
        const outcome =
          first.type === 'question'
            ? await runner.run(task(sample.request, agent, any), {
                conversation: first.conversation,
                answer: { toolUseId: first.toolUseId, text: 'a percentage', user: 'U0REQUEST1' },
              })
            : first;
        expect(outcome.type).toBe('handoff');
        if (outcome.type === 'handoff') expect(outcome.handoff.summary.startsWith(SCRIPTED_MARK)).toBe(true);
      }
    }
  });

  it("meets the typed outputs each step of the sample's workflow requires", async () => {
    const library = loadWorkflowLibrary(join(__dirname, '..', '..', 'workflows'));
    for (const sample of SAMPLE_REQUESTS) {
      const decision = classifyRequest(sample.request);
      if (!decision.sure) throw new Error(`the rules are unsure about "${sample.request}": ${decision.reason}`);
      for (const step of composePlan(library, decision.categories).steps.filter((s) => s.agent)) {
        const answer = { toolUseId: 'toolu_1', text: 'a percentage', user: 'U0REQUEST1' };
        const first = await runner.run(
          task(sample.request, step.agent!, { outputs: step.outputs, optionalOutputs: step.optional_outputs }),
        );
        const outcome =
          first.type === 'question'
            ? await runner.run(
                task(sample.request, step.agent!, { outputs: step.outputs, optionalOutputs: step.optional_outputs }),
                { conversation: first.conversation, answer },
              )
            : first;
        expect(outcome.type).toBe('handoff');
        for (const output of step.outputs) expect(outcome.type === 'handoff' && outcome.handoff[output]).toBeTruthy();
      }
    }
  });

  it('asks the progress question first, then hands off with the answer in its context', async () => {
    const first = await runner.run(
      task('Create an API for progress tracking', 'api-designer', { outputs: ['contract'] }),
    );
    expect(first.type).toBe('question');
    if (first.type !== 'question') return;
    expect(first.question.startsWith(SCRIPTED_MARK)).toBe(true);
    const second = await runner.run(
      task('Create an API for progress tracking', 'api-designer', { outputs: ['contract'] }),
      {
        conversation: first.conversation,
        answer: { toolUseId: first.toolUseId, text: 'a percentage per lesson', user: 'U0REQUEST1' },
      },
    );
    expect(second.type === 'handoff' && second.handoff.context).toContain('a percentage per lesson');
  });

  it('answers an unknown request with a handoff that names the sample requests', async () => {
    const outcome = await runner.run(task('Rotate the database password', 'devops-engineer'));
    expect(outcome.type === 'handoff' && outcome.handoff.context).toContain('Add a new table for user preferences');
  });

  it('writes a rollback analysis from the error when a step failed', async () => {
    const outcome = await runner.run(
      task('Add a new table for user preferences', 'data-migration-specialist', {
        previousError: 'relation "x" does not exist',
      }),
    );
    expect(outcome.type === 'handoff' && outcome.handoff.summary).toMatch(
      /^\(scripted demo model\) The step failed: relation "x"/,
    );
  });
});
