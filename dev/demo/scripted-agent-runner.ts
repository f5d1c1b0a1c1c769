import { z } from 'zod';
import type { AgentAnswer, AgentOutcome, AgentRunner, AgentTask } from '../../src/engine/ports/agent-runner';
import { handoffSchema, handoffSchemaFor, ZERO_USAGE, type Handoff, type StepOutputs } from '../../src/domain/handoff';
import { sampleFor, SAMPLE_REQUESTS, type SampleRequest } from './sample-requests';

/** Starts every message of the scripted model, so nobody mistakes it for Claude. */
export const SCRIPTED_MARK = '(scripted demo model)';

const conversationSchema = z.object({ scripted: z.literal(true), asked: z.string() });

/**
 * The demo's model when no ANTHROPIC_API_KEY is set: fixed handoffs for the orchestrator's sample requests,
 * a question for the thread where a sample has one, and a polite handoff for anything else. Every
 * handoff and question it writes says it is scripted. The engine around it is the real one: the
 * migrations it proposes are linted, round-tripped and audited on the demo's Postgres.
 */
export class ScriptedAgentRunner implements AgentRunner {
  async run(task: AgentTask, resume?: { conversation: unknown; answer: AgentAnswer }): Promise<AgentOutcome> {
    if (task.previousError !== undefined) return outcome(this.failureAnalysis(task.previousError));
    const sample = sampleFor(task.request);
    if (sample === undefined) return outcome(unknownRequest(task));
    const question = sample.question;
    const answered = resume === undefined ? undefined : conversationSchema.parse(resume.conversation);
    if (question?.agent === task.agent && answered === undefined) {
      const conversation = { scripted: true, asked: question.text };
      return {
        type: 'question',
        question: `${SCRIPTED_MARK} ${question.text}`,
        toolUseId: `toolu_scripted_${task.stepId}`,
        usage: ZERO_USAGE,
        conversation,
      };
    }
    const handoff = scriptedHandoff(sample, task.agent, {
      required: task.outputs ?? [],
      optional: task.optionalOutputs,
    });
    if (resume !== undefined)
      handoff.context = `${handoff.context} ${resume.answer.user} answered: "${resume.answer.text}".`;
    if (task.changesRequested)
      handoff.summary = `${handoff.summary} (attempt ${task.changesRequested.attempt}, after "${task.changesRequested.reason}")`;
    return outcome(handoff);
  }

  private failureAnalysis(error: string): Handoff {
    return handoffSchema.parse({
      summary: `${SCRIPTED_MARK} The step failed: ${error.slice(0, 500)}`,
      context:
        'The scripted model repeats the error the engine reported; with ANTHROPIC_API_KEY set, Claude explains it.',
      next_steps: ['Fix the SQL the error names, then type the request again'],
    });
  }
}

/** The sample's handoff, held to the step's typed outputs, as Claude's would be. */
function scriptedHandoff(sample: SampleRequest, agent: string, outputs: StepOutputs): Handoff {
  const written = sample.handoffs[agent];
  if (written === undefined) {
    return handoffSchema.parse({
      summary: `${SCRIPTED_MARK} Nothing to do for "${sample.request}"`,
      context: `The script has no work for ${agent} in this request.`,
    });
  }
  const handoff = handoffSchemaFor(outputs).parse(structuredClone(written));
  handoff.summary = `${SCRIPTED_MARK} ${handoff.summary}`;
  return handoff;
}

function unknownRequest(task: AgentTask): Handoff {
  const samples = SAMPLE_REQUESTS.map((s) => `"${s.request}"`).join(', ');
  return handoffSchema.parse({
    summary: `${SCRIPTED_MARK} I only know the sample requests; nothing was designed for this one`,
    context:
      `The demo runs without ANTHROPIC_API_KEY, so ${task.agent} is a script. Try ${samples}, or set ANTHROPIC_API_KEY ` +
      'to let Claude work on any request.',
  });
}

function outcome(handoff: Handoff): AgentOutcome {
  return { type: 'handoff', handoff, usage: ZERO_USAGE, conversation: { scripted: true } };
}
