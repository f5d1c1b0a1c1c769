import type { AgentObserver, AgentTask } from '../ports/agent-runner';
import { commentsForAgents } from '../../domain/approval-policy';
import { type Handoff, type Usage, addUsage, handoffSchema } from '../../domain/handoff';
import { changesReasonFor } from '../../domain/attempts';
import type { Step, Workflow } from '../../domain/records';
import { inTransaction } from '../../store/db';
import { listComments, listEvents, recordEvent } from '../../store/events';
import { markResumed, openQuestion } from '../../store/questions-repo';
import { transitionStep } from '../../store/steps-repo';
import { getWorkflow, transitionWorkflow } from '../../store/workflows-repo';
import type { EngineDeps } from '../deps';
import { attachArtifacts, unattachedStoredFiles } from '../thread/workflow-files';
import { refreshRoot } from '../thread/thread';
import type { StepRun, StepWork } from './step-run';
import { showWaiting, stepKey, workflowThread } from './step-thread';

/** The agent's question, with what the step has spent up to it. */
interface AgentQuestion {
  question: string;
  toolUseId: string;
  usage: Usage;
  conversation: unknown;
}

/**
 * The agent's turn: a fresh one, or the stored conversation resumed with the answer to its question;
 * its handoff and what the step spent go into `work`. False when the step stops here: the agent asked
 * in the thread (a later job resumes it), or the workflow was cancelled while the agent worked (its
 * actions must not run, nothing more is posted).
 */
export async function runAgent(run: StepRun, agent: string, work: StepWork): Promise<boolean> {
  const task = await agentTask(run, agent);
  const calls: Array<Promise<void>> = [];
  const outcome = await run.deps.agents.run(task, resumeWith(run), observer(run, agent, calls)).finally(async () => {
    // Stopped before the outcome is shown, so a late progress edit cannot overwrite it.
    await run.progress.stop();
    await Promise.all(calls);
  });
  // A resumed run adds to what the step spent before its question.
  const usage = run.step.usage ? addUsage(run.step.usage, outcome.usage) : outcome.usage;
  if (outcome.type === 'question') {
    await askInThread(run, agent, { ...outcome, usage });
    return false;
  }
  work.handoff = outcome.handoff;
  work.usage = usage;
  work.summaries.push(outcome.handoff.summary);
  return (await getWorkflow(run.deps.pool, run.workflow.id))?.state === 'running';
}

async function agentTask(run: StepRun, agent: string): Promise<AgentTask> {
  const { deps, workflow, step, def } = run;
  return {
    workflowId: workflow.id,
    stepId: step.id,
    agent,
    stepTitle: `[${step.idx + 1}/${workflow.plan!.steps.length}] ${def.title}`,
    tasks: def.tasks,
    outputs: def.outputs,
    optionalOutputs: def.optional_outputs,
    request: workflow.request,
    requester: workflow.requester,
    earlierHandoffs: run.earlier,
    comments: commentsForAgents(deps.policy, workflow, await listComments(deps.pool, workflow.id)),
    previousError: step.failures > 0 && step.error ? step.error : undefined,
    changesRequested: await changesRequested(run),
    spent: step.usage ?? undefined,
  };
}

/** The approver's reason and the previous attempt, on an attempt that Request changes started. */
async function changesRequested(run: StepRun): Promise<AgentTask['changesRequested']> {
  const { deps, workflow, step } = run;
  if (step.attempt < 2) return undefined;
  const reason = changesReasonFor(await listEvents(deps.pool, workflow.id), step.id, step.attempt);
  if (!reason) return undefined;
  const previous = handoffSchema.safeParse(reason.previous.handoff);
  return {
    by: reason.by,
    reason: reason.reason,
    attempt: step.attempt,
    previousSummary: reason.previous.summary ?? '',
    previousHandoff: previous.success ? previous.data : undefined,
  };
}

/** The conversation to resume, when a reply to the agent's question waits and the question's conversation was kept. */
function resumeWith(run: StepRun) {
  const { answer, step } = run;
  if (!answer || !step.conversation) return undefined;
  return {
    conversation: step.conversation,
    answer: { toolUseId: answer.tool_use_id, text: answer.answer ?? '', user: answer.answered_by ?? '' },
  };
}

/** Shows the agent's progress in the step's message and records every model call it makes. */
function observer(run: StepRun, agent: string, calls: Array<Promise<void>>): AgentObserver {
  const { deps, workflow, step } = run;
  return {
    progress: (activity) => run.progress.report(activity),
    call: ({ model, usage }) =>
      void calls.push(
        recordEvent(deps.pool, workflow.id, 'model_call', null, { step_id: step.id, agent, model, usage }),
      ),
  };
}

/**
 * The step waits for a reply: its conversation is kept to resume, the answer this run resumed with is
 * consumed, and the question is posted once (a repeat finds the step no longer running).
 */
async function askInThread(run: StepRun, agent: string, outcome: AgentQuestion): Promise<void> {
  const { deps, workflow, step } = run;
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
    if (run.answer?.id) await markResumed(tx, run.answer.id);
    return openQuestion(tx, {
      workflowId: workflow.id,
      stepId: step.id,
      toolUseId: outcome.toolUseId,
      question: outcome.question,
    });
  });
  if (!question) return;
  await deps.slack.post(
    `question:${question.id}`,
    workflowThread(workflow),
    deps.views.questionMessage(agent, workflow.requester, question.question),
  );
  await showWaiting(deps, run.message);
  await refreshRoot(deps, workflow.id);
}

/**
 * After the step committed: the files of its handoff and those the step stored (its validation record),
 * all in one upload beside the step's message.
 */
export async function attachStepFiles(
  deps: EngineDeps,
  workflow: Workflow,
  step: Step,
  handoff: Handoff | undefined,
): Promise<void> {
  await attachArtifacts(deps, workflow, stepKey(step), [
    ...(handoff?.artifacts ?? []),
    ...(await unattachedStoredFiles(deps, workflow)),
  ]);
}
