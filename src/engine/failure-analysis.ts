import { recordEvent } from '../store/events';
import { findMessage } from '../store/slack-messages-repo';
import type { Step, Workflow } from '../domain/records';
import type { StepDefinition } from '../domain/plan';
import type { EngineDeps } from './deps';

/**
 * The orchestrator's failure policy for a failed migration: the named agent analyses what went wrong and what
 * to change, and the analysis goes in the thread, once. Nothing runs anywhere; the workflow is stopping.
 */
export async function postFailureAnalysis(
  deps: EngineDeps,
  workflow: Workflow,
  step: Step,
  def: StepDefinition,
  error: string,
): Promise<void> {
  const agent = def.failure_analysis;
  const key = `wf:${workflow.id}:analysis-${step.id}`;
  // A rerun of the stop (src/engine/step-kinds/step-failure.ts) finds the analysis posted already.
  if (!agent || !workflow.root_ts || (await findMessage(deps.pool, key))?.ts) return;
  const thread = { channel: workflow.channel_id, threadTs: workflow.root_ts };
  let text: string;
  const calls: Array<Promise<void>> = [];
  try {
    const outcome = await deps.agents.run(
      {
        workflowId: workflow.id,
        stepId: step.id,
        agent,
        stepTitle: `Rollback analysis of step ${step.idx + 1} (${def.title})`,
        tasks: [
          'Explain why it failed, from the error',
          'Say what to change before the request is tried again',
          'Nothing was merged; propose nothing to run on production',
        ],
        request: workflow.request,
        requester: workflow.requester,
        earlierHandoffs: [],
        comments: [],
        previousError: error,
      },
      undefined,
      {
        call: ({ model, usage }) =>
          void calls.push(
            recordEvent(deps.pool, workflow.id, 'model_call', null, {
              step_id: step.id,
              agent,
              purpose: 'failure_analysis',
              model,
              usage,
            }),
          ),
      },
    );
    await Promise.all(calls);
    if (outcome.type === 'handoff') {
      const h = outcome.handoff;
      const next = h.next_steps.length
        ? `\n*What to change*\n${h.next_steps.map((s) => `• ${deps.views.escapeMrkdwn(s)}`).join('\n')}`
        : '';
      text = `:mag: *Rollback analysis* by ${agent}\n${deps.views.escapeMrkdwn(h.summary)}\n${deps.views.escapeMrkdwn(h.context)}${next}`;
    } else {
      text = `:mag: ${agent} asked a question instead of analysing the failure: ${deps.views.escapeMrkdwn(outcome.question)}`;
    }
  } catch (e) {
    text = `:mag: No rollback analysis: ${deps.views.escapeMrkdwn((e as Error).message)}`;
  }
  await recordEvent(deps.pool, workflow.id, 'failure_analysis', null, { step_id: step.id, agent });
  await deps.slack.post(key, thread, deps.views.noticeMessage(text));
}
