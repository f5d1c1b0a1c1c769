import type { AgentObserver, AgentTask } from './ports/agent-runner';
import { type Handoff, type Usage, addUsage, handoffSchema } from '../domain/handoff';
import { isRetryable } from '../domain/errors';
import { gateOpenMessage } from '../views/gate-message';
import { migrationFiles } from '../views/merge-migrations';
import { handoffMessage } from '../views/handoff-message';
import {
  questionMessage,
  stepDoneMessage,
  stepFailedMessage,
  stepHeadline,
  stepRunningMessage,
  stepWaitingMessage,
} from '../views/step-message';
import { registerCompensation } from '../store/compensations-repo';
import { type Queryable, inTransaction } from '../store/db';
import { listComments, listEvents, recordEvent } from '../store/events';
import { listGates, openGate } from '../store/gates-repo';
import { findUnconsumedAnswer, markResumed, openQuestion } from '../store/questions-repo';
import type { Check, ShownMigration, Step, Workflow } from '../domain/records';
import { bumpGeneration, getStep, listSteps, transitionStep } from '../store/steps-repo';
import { getWorkflow, transitionWorkflow } from '../store/workflows-repo';
import { advancePast } from './advance';
import { approversNote as policyApproversNote, commentsForAgents } from '../domain/approval-policy';
import type { StepDefinition } from '../domain/plan';
import type { EngineDeps } from './deps';
import { GATES } from '../domain/gate-kinds';
import { gatePolicy } from '../domain/gate-policy';
import { postFailureAnalysis } from './failure-analysis';
import { afterEnd, endWorkflow } from './lifecycle';
import { attachArtifacts, attachStoredFiles } from './thread/workflow-files';
import { StepProgress } from './thread/step-progress';
import { refreshRoot } from './thread/thread';

/** Which attempt of the job this is, so the last one turns a transient error into a failure. */
export interface AttemptInfo {
  attemptsMade: number;
}

/**
 * The step job: post `[i/n] Invoking <agent>...`, run the agent, run the engine's actions, then open
 * the step's gate or move on. Idempotent: a run that finds the step already done does nothing, and
 * every Slack post has a key.
 */
export async function runStep(deps: EngineDeps, stepId: number, attempt: AttemptInfo): Promise<void> {
  const step = await getStep(deps.pool, stepId);
  const workflow = step && (await getWorkflow(deps.pool, step.workflow_id));
  if (!step || !workflow?.plan || workflow.current_step !== step.idx) return;
  const def = workflow.plan.steps[step.idx]!;
  const headline = stepHeadline(step.idx, workflow.plan.steps.length, def.agent ?? null, def.title);
  const thread = { channel: workflow.channel_id, threadTs: workflow.root_ts! };
  if (step.state === 'succeeded' && (workflow.state === 'running' || workflow.state === 'waiting_gate')) {
    // An earlier run committed the result, then died or failed on Slack: finish what follows it.
    const progressTs = await deps.slack.post(
      `step:${step.id}:progress`,
      thread,
      stepRunningMessage(headline, def.tasks),
    );
    await afterSuccess(deps, workflow, step, def, headline, progressTs);
    return;
  }
  if (workflow.state !== 'running' || (step.state !== 'pending' && step.state !== 'running')) return;

  const running = (await transitionStep(deps.pool, step, ['pending', 'running'], 'running'))!;
  const progressTs = await deps.slack.post(`step:${step.id}:progress`, thread, stepRunningMessage(headline, def.tasks));
  if (running.run > 1 || step.state === 'running')
    await deps.slack.update(thread.channel, progressTs, stepRunningMessage(headline, def.tasks));
  await refreshRoot(deps, workflow.id);
  const started = Date.now();
  const progress = new StepProgress({
    intervalMs: deps.progressIntervalMs,
    update: (activity) =>
      deps.slack.update(thread.channel, progressTs, stepRunningMessage(headline, def.tasks, activity)),
    onError: (err) => deps.logger.warn({ err: (err as Error).message, stepId: step.id }, 'progress update failed'),
  });
  const calls: Array<Promise<void>> = [];
  const observer: AgentObserver = {
    progress: (activity) => progress.report(activity),
    call: ({ model, usage }) =>
      void calls.push(
        recordEvent(deps.pool, workflow.id, 'model_call', null, { step_id: step.id, agent: def.agent, model, usage }),
      ),
  };

  try {
    const earlier = await earlierHandoffs(deps, workflow, step.idx);
    let handoff: Handoff | undefined;
    let usage: Usage | undefined;
    const answer = await findUnconsumedAnswer(deps.pool, step.id);
    if (def.agent) {
      const task = await agentTask(deps, workflow, running, def, earlier);
      const resume =
        answer && running.conversation
          ? {
              conversation: running.conversation,
              answer: { toolUseId: answer.tool_use_id, text: answer.answer ?? '', user: answer.answered_by ?? '' },
            }
          : undefined;
      const outcome = await deps.agents.run(task, resume, observer).finally(async () => {
        await progress.stop();
        await Promise.all(calls);
      });
      // A resumed run adds to what the step spent before its question.
      usage = running.usage ? addUsage(running.usage, outcome.usage) : outcome.usage;
      outcome.usage = usage;
      if (outcome.type === 'question') {
        await askInThread(deps, workflow, running, outcome, answer?.id, def.agent, headline, progressTs);
        return;
      }
      handoff = outcome.handoff;
      // Cancelled while the agent worked: the step's actions do not run and nothing more is posted.
      if ((await getWorkflow(deps.pool, workflow.id))?.state !== 'running') return;
    }

    const checks: Check[] = [];
    const summaries: string[] = handoff ? [handoff.summary] : [];
    for (const name of def.actions) {
      const action = deps.actions.get(name);
      if (!action) throw new Error(`the workflow names an action "${name}" that this bot does not have`);
      const result = await action.run({
        workflow,
        step: running,
        handoff,
        earlierHandoffs: earlier.map((e) => e.handoff),
        logger: deps.logger,
        compensate: (c) => registerCompensation(deps.pool, { workflowId: workflow.id, stepId: step.id, ...c }),
      });
      checks.push(...(result.checks ?? []));
      if (result.summary) summaries.push(result.summary);
    }
    if (def.gate) {
      const [steps, gates] = await Promise.all([listSteps(deps.pool, workflow.id), listGates(deps.pool, workflow.id)]);
      checks.push(
        ...deps.changes.gateChecks(def.gate, {
          handoff,
          earlierHandoffs: earlier.map((e) => e.handoff),
          steps,
          gates,
          stepId: step.id,
        }),
      );
    }
    const summary = summaries.join(' ') || checkSummary(checks);
    const done = await finishStep(deps, workflow, running, def, {
      summary,
      handoff,
      usage,
      checks,
      answerId: answer?.id,
    });
    if (done) await afterSuccess(deps, workflow, done, def, headline, progressTs);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (isRetryable(error) && attempt.attemptsMade + 1 < deps.attempts) {
      await deps.slack.update(
        thread.channel,
        progressTs,
        stepFailedMessage(
          headline,
          message,
          Date.now() - started,
          `retrying (attempt ${attempt.attemptsMade + 2} of ${deps.attempts})`,
        ),
      );
      throw error;
    }
    await failStep(deps, workflow, running, def, message, headline, progressTs, Date.now() - started);
  }
}

/** What follows a committed step result; safe to repeat: the done message, then the gate or the next step. */
async function afterSuccess(
  deps: EngineDeps,
  workflow: Workflow,
  step: Step,
  def: StepDefinition,
  headline: string,
  progressTs: string,
): Promise<void> {
  const elapsedMs = (step.finished_at?.getTime() ?? Date.now()) - (step.started_at?.getTime() ?? Date.now());
  const handoff = step.handoff ? handoffSchema.parse(step.handoff) : undefined;
  await deps.slack.update(
    workflow.channel_id,
    progressTs,
    stepDoneMessage(headline, {
      summary: step.summary ?? 'Done.',
      elapsedMs,
      usage: step.usage ?? undefined,
      handoff,
      notes: def.gate ? [] : (step.checks ?? []).filter((c) => c.status !== 'pass'),
    }),
  );
  const next = workflow.plan!.steps[step.idx + 1];
  if (handoff && def.agent && next) {
    const thread = { channel: workflow.channel_id, threadTs: workflow.root_ts! };
    await deps.slack.post(
      `step:${step.id}:handoff`,
      thread,
      handoffMessage(def.agent, next.agent ?? next.title, handoff),
    );
    await attachArtifacts(deps, workflow, `step:${step.id}`, handoff.artifacts);
  }
  await attachStoredFiles(deps, workflow);
  if (!def.gate) {
    await advancePast(deps, workflow.id, step.idx);
    return;
  }
  const gate = (await listGates(deps.pool, workflow.id)).find((g) => g.step_id === step.id);
  if (gate?.state !== 'open') return;
  await deps.slack.post(
    `gate:${gate.id}`,
    { channel: workflow.channel_id, threadTs: workflow.root_ts! },
    gateOpenMessage(gate, approversNote(deps, gate.merges, workflow.requester)),
  );
  // The SQL the merge gate shows only in part is attached in full.
  if (gate.merges) await attachArtifacts(deps, workflow, `gate:${gate.id}`, migrationFiles(gate.migrations));
  await refreshRoot(deps, workflow.id);
}

async function earlierHandoffs(
  deps: EngineDeps,
  workflow: Workflow,
  idx: number,
): Promise<Array<{ agent: string; stepTitle: string; handoff: Handoff }>> {
  const steps = await listSteps(deps.pool, workflow.id);
  return steps
    .filter((s) => s.idx < idx && s.handoff)
    .map((s) => ({ agent: s.agent ?? 'engine', stepTitle: s.title, handoff: handoffSchema.parse(s.handoff) }));
}

async function agentTask(
  deps: EngineDeps,
  workflow: Workflow,
  step: Step,
  def: StepDefinition,
  earlier: AgentTask['earlierHandoffs'],
): Promise<AgentTask> {
  return {
    workflowId: workflow.id,
    stepId: step.id,
    agent: def.agent!,
    stepTitle: `[${step.idx + 1}/${workflow.plan!.steps.length}] ${def.title}`,
    tasks: def.tasks,
    outputs: def.outputs,
    optionalOutputs: def.optional_outputs,
    request: workflow.request,
    requester: workflow.requester,
    earlierHandoffs: earlier,
    comments: commentsForAgents(deps.policy, workflow, await listComments(deps.pool, workflow.id)),
    previousError: step.failures > 0 && step.error ? step.error : undefined,
    spent: step.usage ?? undefined,
  };
}

async function askInThread(
  deps: EngineDeps,
  workflow: Workflow,
  step: Step,
  outcome: { question: string; toolUseId: string; usage: Usage; conversation: unknown },
  consumedAnswerId: number | undefined,
  agent: string,
  headline: string,
  progressTs: string,
): Promise<void> {
  const question = await inTransaction(deps.pool, async (tx) => {
    const moved = await transitionStep(tx, step, ['running'], 'waiting_reply', {
      conversation: outcome.conversation,
      usage: outcome.usage,
    });
    if (!moved) return undefined;
    await transitionWorkflow(tx, workflow.id, ['running'], 'waiting_reply', {
      type: 'workflow_waiting_reply',
      actor: null,
    });
    if (consumedAnswerId) await markResumed(tx, consumedAnswerId);
    return openQuestion(tx, {
      workflowId: workflow.id,
      stepId: step.id,
      toolUseId: outcome.toolUseId,
      question: outcome.question,
    });
  });
  if (!question) return;
  const thread = { channel: workflow.channel_id, threadTs: workflow.root_ts! };
  await deps.slack.post(
    `question:${question.id}`,
    thread,
    questionMessage(agent, workflow.requester, question.question),
  );
  await deps.slack.update(thread.channel, progressTs, stepWaitingMessage(headline));
  await refreshRoot(deps, workflow.id);
}

async function finishStep(
  deps: EngineDeps,
  workflow: Workflow,
  step: Step,
  def: StepDefinition,
  result: { summary: string; handoff?: Handoff; usage?: Usage; checks: Check[]; answerId?: number },
): Promise<Step | undefined> {
  return inTransaction(deps.pool, async (tx) => {
    const done = await transitionStep(tx, step, ['running'], 'succeeded', {
      summary: result.summary,
      handoff: result.handoff,
      usage: result.usage,
      checks: result.checks,
      error: null,
    });
    if (!done) return undefined;
    if (result.answerId) await markResumed(tx, result.answerId);
    if (def.gate) {
      const merges = GATES[def.gate].merges;
      const gate = merges
        ? await mergeGateContents(deps, tx, workflow, step, result.checks)
        : { checks: result.checks, migrations: [] };
      const policy = gatePolicy({ checks: gate.checks, merges });
      await openGate(tx, {
        workflowId: workflow.id,
        stepId: step.id,
        kind: def.gate,
        merges,
        checks: gate.checks,
        approvalsNeeded: policy.approvalsNeeded,
        migrations: gate.migrations,
      });
      await transitionWorkflow(tx, workflow.id, ['running'], 'waiting_gate', {
        type: 'workflow_waiting_gate',
        actor: null,
        data: { gate: def.gate },
      });
    }
    return done;
  });
}

/**
 * What the merge gate shows besides its step's checks: the earlier steps' findings that need a second
 * approver, the migrations it will merge (each pinned by the hash of its branch test) and whether each
 * passed that test on its exact text, and the migrations it will not merge because their steps may not
 * carry one.
 */
async function mergeGateContents(
  deps: EngineDeps,
  tx: Queryable,
  workflow: Workflow,
  step: Step,
  own: Check[],
): Promise<{ checks: Check[]; migrations: ShownMigration[] }> {
  // Inside the step's transaction, so the step's own handoff and checks are already its new ones.
  const steps = await listSteps(tx, workflow.id);
  const events = await listEvents(tx, workflow.id);
  return deps.changes.mergeGateContents({ workflow, steps, events, step, own });
}

/** A permanent failure: retry once if the step's policy says so, else stop the workflow (nothing merged). */
async function failStep(
  deps: EngineDeps,
  workflow: Workflow,
  step: Step,
  def: StepDefinition,
  message: string,
  headline: string,
  progressTs: string,
  elapsedMs: number,
): Promise<void> {
  const channel = workflow.channel_id;
  if (def.on_failure === 'retry_once' && step.failures === 0) {
    const again = await inTransaction(deps.pool, async (tx) => {
      const moved = await transitionStep(tx, step, ['running'], 'pending', { error: message, countFailure: true });
      return moved ? bumpGeneration(tx, step.id) : undefined;
    });
    if (!again) return;
    await deps.slack.update(
      channel,
      progressTs,
      stepFailedMessage(
        headline,
        message,
        elapsedMs,
        'trying once more with the error in hand (failure policy: retry once)',
      ),
    );
    await deps.queue.enqueue({
      name: 'step',
      data: { workflowId: workflow.id, stepId: step.id, generation: again.generation },
    });
    return;
  }
  const stopped = await inTransaction(deps.pool, async (tx) => {
    const moved = await transitionStep(tx, step, ['running'], 'failed', { error: message, countFailure: true });
    return Boolean(moved);
  });
  if (!stopped) return;
  await deps.slack.update(
    channel,
    progressTs,
    stepFailedMessage(
      headline,
      message,
      elapsedMs,
      'the workflow stopped; nothing was merged. Fix the cause and start a new request.',
    ),
  );
  await attachStoredFiles(deps, workflow);
  const error = `Step ${step.idx + 1} (${def.agent ?? def.title}) failed: ${message}`;
  if (await endWorkflow(deps, workflow.id, 'failed', { type: 'workflow_failed', actor: null, error })) {
    await postFailureAnalysis(deps, workflow, step, def, message);
    await afterEnd(deps, workflow.id);
  }
}

function checkSummary(checks: Check[]): string {
  if (!checks.length) return 'Done.';
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  return `${checks.length - failed - warned} check(s) passed, ${warned} warning(s), ${failed} failed.`;
}

/** The context line under a gate's buttons: who may decide (the approval policy says). */
export function approversNote(deps: Pick<EngineDeps, 'policy'>, merges: boolean, requester: string): string {
  return policyApproversNote(deps.policy, merges, requester);
}
