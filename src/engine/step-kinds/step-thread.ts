import { handoffSchema } from '../../domain/handoff';
import type { SlackMessage } from '../../domain/message';
import type { StepDefinition } from '../../domain/plan';
import type { Step, Workflow } from '../../domain/records';
import type { DecisionDeps, EngineDeps } from '../deps';
import { StepProgress } from '../thread/step-progress';

/** The step's `[i/n] Invoking …` message in the workflow thread; every later version of it edits this one. */
export interface StepMessage {
  thread: { channel: string; threadTs: string };
  headline: string;
  ts: string;
}

/** The workflow's thread, where every post of its steps goes. */
export function workflowThread(workflow: Workflow): StepMessage['thread'] {
  return { channel: workflow.channel_id, threadTs: workflow.root_ts! };
}

/** The key of a step attempt's posts: each attempt after Request changes has messages of its own. */
export function stepKey(step: Pick<Step, 'id' | 'attempt'>): string {
  return step.attempt > 1 ? `step:${step.id}:a${step.attempt}` : `step:${step.id}`;
}

/** Posts the step's message; its key makes a repeat (a retry, a rerun) find the message it posted before. */
export async function postStepMessage(
  deps: EngineDeps,
  workflow: Workflow,
  step: Step,
  def: StepDefinition,
): Promise<StepMessage> {
  const headline = stepHeadline(deps, workflow, step);
  const thread = workflowThread(workflow);
  const ts = await deps.slack.post(
    `${stepKey(step)}:progress`,
    thread,
    deps.views.stepRunningMessage(headline, def.tasks),
  );
  return { thread, headline, ts };
}

/** Shows the step running again: the message found by its key may still show an earlier run's outcome. */
export async function showRunning(deps: EngineDeps, message: StepMessage, def: StepDefinition): Promise<void> {
  await deps.slack.update(
    message.thread.channel,
    message.ts,
    deps.views.stepRunningMessage(message.headline, def.tasks),
  );
}

/** Live progress of the agent's work in the step's message; started as soon as the message is posted. */
export function startProgress(
  deps: EngineDeps,
  message: StepMessage,
  def: StepDefinition,
  stepId: number,
): StepProgress {
  return new StepProgress({
    intervalMs: deps.progressIntervalMs,
    update: (activity) =>
      deps.slack.update(
        message.thread.channel,
        message.ts,
        deps.views.stepRunningMessage(message.headline, def.tasks, activity),
        { priority: 'background' },
      ),
    onError: (err) => deps.logger.warn({ err: (err as Error).message, stepId }, 'progress update failed'),
  });
}

/** Shows that the step waits for a reply to its agent's question. */
export async function showWaiting(deps: EngineDeps, message: StepMessage): Promise<void> {
  await deps.slack.update(message.thread.channel, message.ts, deps.views.stepWaitingMessage(message.headline));
}

/** Shows the step failed, and what happens next (a retry, or the workflow stops). */
export async function showFailed(
  deps: EngineDeps,
  message: StepMessage,
  error: string,
  elapsedMs: number,
  next: string,
): Promise<void> {
  await deps.slack.update(
    message.thread.channel,
    message.ts,
    deps.views.stepFailedMessage(message.headline, error, elapsedMs, next),
  );
}

/** The step's headline, e.g. `[2/5] Invoking data-migration-specialist...`, with its attempt after the first. */
export function stepHeadline(
  deps: Pick<DecisionDeps, 'views'>,
  workflow: Workflow,
  step: Pick<Step, 'idx' | 'attempt'>,
): string {
  const def = workflow.plan!.steps[step.idx]!;
  return (
    deps.views.stepHeadline(step.idx, workflow.plan!.steps.length, def.agent ?? null, def.title) +
    (step.attempt > 1 ? ` (attempt ${step.attempt})` : '')
  );
}

/**
 * The committed result, with the handoff to the next step when there is one. A gated step's checks
 * are left out, but for what it could not do: its gate, in the same message, shows them with the
 * buttons that decide on them.
 */
export function stepDoneView(deps: Pick<DecisionDeps, 'views'>, workflow: Workflow, step: Step): SlackMessage {
  const def = workflow.plan!.steps[step.idx]!;
  const gated = def.gate !== undefined;
  const parsed = step.handoff ? handoffSchema.safeParse(step.handoff) : undefined;
  const handoff = parsed?.success ? parsed.data : undefined;
  const elapsedMs = (step.finished_at?.getTime() ?? Date.now()) - (step.started_at?.getTime() ?? Date.now());
  const done = deps.views.stepDoneMessage(stepHeadline(deps, workflow, step), {
    summary: step.summary ?? 'Done.',
    elapsedMs,
    usage: step.usage ?? undefined,
    handoff,
    // What the step could not do is said in its own message too, gate or not.
    notes: (step.checks ?? []).filter((c) => c.status !== 'pass' && (!gated || c.flags?.includes('not_done'))),
  });
  const next = workflow.plan!.steps[step.idx + 1];
  // The handoff to the next step is part of the step's one message, not a message of its own.
  const handed =
    handoff && def.agent && next && deps.views.handoffMessage(def.agent, next.agent ?? next.title, handoff);
  return handed ? { text: done.text, blocks: [...(done.blocks ?? []), ...(handed.blocks ?? [])] } : done;
}

/** Shows the committed result in the step's message (a gated step's gate is drawn into it next). */
export async function showDone(deps: EngineDeps, message: StepMessage, workflow: Workflow, step: Step): Promise<void> {
  await deps.slack.update(message.thread.channel, message.ts, stepDoneView(deps, workflow, step));
}
