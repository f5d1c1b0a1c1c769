import { trace } from '@opentelemetry/api';
import { handoffSchema } from '../domain/handoff';
import { inSpan, TRACER_NAME } from '../domain/telemetry';
import { isRetryable } from '../domain/errors';
import type { StepDefinition } from '../domain/plan';
import type { Step, Workflow } from '../domain/records';
import { inTransaction } from '../store/db';
import { findUnconsumedAnswer, markResumed } from '../store/questions-repo';
import { getStep, transitionStep } from '../store/steps-repo';
import { getWorkflow } from '../store/workflows-repo';
import { advancePast } from './advance';
import type { EngineDeps } from './deps';
import { refreshRoot } from './thread/thread';
import { attachStepFiles, runAgent } from './step-kinds/agent';
import { discardPreviousAttempt } from './step-kinds/attempts';
import { runActions } from './step-kinds/actions';
import { addGateChecks, openStepGate, postOpenGate } from './step-kinds/gate';
import { finishStop, retryOnce, stopOnFailure } from './step-kinds/step-failure';
import { type StepKind, findKind, stepKinds } from './step-kinds/step-kind';
import { type RunningStep, type StepRun, type StepWork, earlierHandoffs, workSummary } from './step-kinds/step-run';
import {
  type StepMessage,
  postStepMessage,
  showDone,
  showFailed,
  showRunning,
  startProgress,
} from './step-kinds/step-thread';

const tracer = trace.getTracer(TRACER_NAME);

/** A step job's step: to run, or committed (done or failed) already with what follows it maybe unfinished. */
interface Found {
  todo: 'run' | 'follow-up' | 'finish-stop';
  step: Step;
  workflow: Workflow;
  def: StepDefinition;
}

/** Which attempt of the job this is, so the last one turns a transient error into a failure. */
export interface AttemptInfo {
  attemptsMade: number;
  /** True for an error the job waits out (Postgres or Redis unreachable): the step is left as it is. */
  waitsOut?: (error: unknown) => boolean;
}

/**
 * The step job: post `[i/n] Invoking <agent>...`, do the step's kinds of work, then open the step's
 * gate or move on. Idempotent: a run that finds the step already done does nothing, and every Slack
 * post has a key.
 */
export async function runStep(deps: EngineDeps, stepId: number, attempt: AttemptInfo): Promise<void> {
  const found = await load(deps, stepId);
  if (!found) return;
  const { step, workflow, def } = found;
  // A span of its own in the workflow's trace (a no-op unless tracing is on); model, Slack and SQL calls nest in it.
  const total = workflow.plan?.steps.length ?? step.idx + 1;
  const attributes = { 'infra.workflow_id': workflow.id, 'infra.step': def.key, 'infra.step_attempt': step.attempt };
  const name = `step ${step.idx + 1}/${total} ${def.agent ?? def.key}`;
  await inSpan(tracer, name, { attributes }, () => runFound(deps, found, attempt));
}

async function runFound(deps: EngineDeps, found: Found, attempt: AttemptInfo): Promise<void> {
  const { step, workflow, def } = found;
  if (found.todo === 'follow-up') {
    await afterSuccess(deps, workflow, step, def, await postStepMessage(deps, workflow, step, def));
    return;
  }
  if (found.todo === 'finish-stop') {
    const message = await postStepMessage(deps, workflow, step, def);
    const elapsed = (step.finished_at?.getTime() ?? Date.now()) - (step.started_at?.getTime() ?? Date.now());
    await finishStop({ deps, workflow, step, def, message }, step.error ?? 'see the error above', elapsed);
    return;
  }
  const running = (await transitionStep(deps.pool, step, ['pending', 'running'], 'running'))!;
  const message = await postStepMessage(deps, workflow, step, def);
  if (running.run > 1 || step.state === 'running') await showRunning(deps, message, def);
  await refreshRoot(deps, workflow.id);
  const started = Date.now();
  const base: RunningStep = { deps, workflow, step: running, def, message };
  const progress = startProgress(deps, message, def, step.id);
  try {
    const earlier = await earlierHandoffs(deps, workflow, step.idx);
    const run: StepRun = { ...base, progress, earlier, answer: await findUnconsumedAnswer(deps.pool, step.id) };
    const kinds = stepKinds(def);
    const work = await doWork(run, kinds);
    const done = work && (await commit(run, work, kinds));
    if (done) await afterSuccess(deps, workflow, done, def, message);
  } catch (error) {
    await fail(base, error, attempt, Date.now() - started);
  }
}

/**
 * The step and its workflow, and what this job has to do with them; nothing when the job is a repeat
 * that finds its work done or the workflow moved on.
 */
async function load(deps: EngineDeps, stepId: number): Promise<Found | undefined> {
  const step = await getStep(deps.pool, stepId);
  const workflow = step && (await getWorkflow(deps.pool, step.workflow_id));
  if (!step || !workflow?.plan || workflow.current_step !== step.idx) return undefined;
  const def = workflow.plan.steps[step.idx]!;
  // An earlier run committed the result, then died or failed on Slack: finish what follows it.
  if (step.state === 'succeeded' && (workflow.state === 'running' || workflow.state === 'waiting_gate'))
    return { todo: 'follow-up', step, workflow, def };
  // An earlier run failed the step for good, then died or failed on Slack before the workflow ended.
  if (step.state === 'failed' && workflow.state === 'running') return { todo: 'finish-stop', step, workflow, def };
  if (workflow.state !== 'running' || (step.state !== 'pending' && step.state !== 'running')) return undefined;
  return { todo: 'run', step, workflow, def };
}

/** Runs each kind of the step's work in order; undefined when the agent's turn stopped the step. */
async function doWork(run: StepRun, kinds: StepKind[]): Promise<StepWork | undefined> {
  const work: StepWork = { checks: [], summaries: [] };
  await discardPreviousAttempt(run, work);
  for (const kind of kinds) {
    switch (kind.kind) {
      case 'agent':
        if (!(await runAgent(run, kind.agent, work))) return undefined;
        break;
      case 'actions':
        await runActions(run, kind.names, work);
        break;
      case 'gate':
        await addGateChecks(run, kind.gate, work);
        break;
    }
  }
  return work;
}

/** Commits the step's result, consumes the answer it resumed with and opens its gate, all at once. */
async function commit(run: StepRun, work: StepWork, kinds: StepKind[]): Promise<Step | undefined> {
  const { deps, workflow, step } = run;
  const { handoff, usage, checks } = work;
  const summary = workSummary(work);
  const gate = findKind(kinds, 'gate');
  return inTransaction(deps.pool, async (tx) => {
    const done = await transitionStep(tx, step, ['running'], 'succeeded', {
      summary,
      handoff,
      usage,
      checks,
      error: null,
    });
    if (!done) return undefined;
    if (run.answer?.id) await markResumed(tx, run.answer.id);
    if (gate) await openStepGate(deps, tx, workflow, step, gate.gate, checks);
    return done;
  });
}

/** What follows a committed step result; safe to repeat: the done message, then the gate or the next step. */
async function afterSuccess(
  deps: EngineDeps,
  workflow: Workflow,
  step: Step,
  def: StepDefinition,
  message: StepMessage,
): Promise<void> {
  const gated = findKind(stepKinds(def), 'gate') !== undefined;
  const handoff = step.handoff ? handoffSchema.parse(step.handoff) : undefined;
  await showDone(deps, message, workflow, step);
  await attachStepFiles(deps, workflow, step, handoff);
  if (gated) await postOpenGate(deps, workflow, step);
  else await advancePast(deps, workflow.id, step.idx);
}

/**
 * The retry policy. A transient error is thrown back to the queue, which retries the job, until its
 * last attempt; a permanent one (or the last attempt) is retried once more if the step's policy says
 * so, else the workflow stops.
 */
async function fail(failing: RunningStep, error: unknown, attempt: AttemptInfo, elapsedMs: number): Promise<void> {
  const { deps, step, def, message } = failing;
  // An outage: nothing can be recorded, and nothing should be; the job is tried again when it is over.
  if (attempt.waitsOut?.(error)) throw error;
  const reason = error instanceof Error ? error.message : String(error);
  if (isRetryable(error) && attempt.attemptsMade + 1 < deps.attempts) {
    const next = `retrying (attempt ${attempt.attemptsMade + 2} of ${deps.attempts})`;
    await showFailed(deps, message, reason, elapsedMs, next);
    throw error;
  }
  if (def.on_failure === 'retry_once' && step.failures === 0) await retryOnce(failing, reason, elapsedMs);
  else await stopOnFailure(failing, reason, elapsedMs);
}
