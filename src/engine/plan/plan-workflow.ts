import { InfraError, isRetryable } from '../../domain/errors';
import { inTransaction } from '../../store/db';
import { recordEvent } from '../../store/events';
import { getStepByIndex, insertSteps } from '../../store/steps-repo';
import { acquireTarget } from '../../store/target-locks-repo';
import {
  getWorkflow,
  setCurrentStep,
  setPlan,
  setRootMessageTs,
  setRootTs,
  transitionWorkflow,
} from '../../store/workflows-repo';
import { composePlan } from './compose-plan';
import type { EngineDeps } from '../deps';
import { afterEnd, endWorkflow } from '../lifecycle';
import { runPreflight } from './preflight';
import { route } from './routing';
import { refreshRoot } from '../thread/thread';
import { storeWorkflowFile } from '../thread/workflow-files';

/**
 * The plan job: route the request, record the plan and its steps, post the root message and the plan
 * in its thread, take the target, run pre-flight checks and start step 1. Safe to run twice.
 */
export async function planWorkflow(deps: EngineDeps, workflowId: number): Promise<void> {
  let workflow = await getWorkflow(deps.pool, workflowId);
  if (workflow?.state !== 'planned') return;

  let routingError: string | undefined;
  if (!workflow.plan) {
    try {
      const decision = await route(workflow.request, deps.router);
      const plan = composePlan(deps.library, decision.categories);
      await inTransaction(deps.pool, async (tx) => {
        await setPlan(tx, workflowId, plan, decision.reason);
        await insertSteps(tx, workflowId, plan.steps);
        await recordEvent(tx, workflowId, 'workflow_planned', null, {
          plan: plan.name,
          categories: decision.categories,
          source: decision.source,
        });
        if (decision.call)
          await recordEvent(tx, workflowId, 'model_call', null, {
            step_id: null,
            agent: 'router',
            purpose: 'routing',
            ...decision.call,
          });
      });
    } catch (error) {
      if (isRetryable(error)) throw error;
      routingError = error instanceof InfraError ? error.message : `Routing failed: ${(error as Error).message}`;
    }
    workflow = (await getWorkflow(deps.pool, workflowId))!;
  }

  // An @mention's workflow already has its thread (root_ts): the root message is a reply in it.
  const mentionThread = workflow.root_ts ?? undefined;
  const rootTs = await deps.slack.post(
    `wf:${workflowId}:root`,
    { channel: workflow.channel_id, ...(mentionThread ? { threadTs: mentionThread } : {}) },
    deps.views.rootMessage(workflow, workflow.plan, []),
  );
  if (!mentionThread) await setRootTs(deps.pool, workflowId, rootTs);
  else if (rootTs !== mentionThread) await setRootMessageTs(deps.pool, workflowId, rootTs);
  const thread = { channel: workflow.channel_id, threadTs: mentionThread ?? rootTs };

  if (routingError || !workflow.plan) {
    const message = routingError ?? 'The workflow has no plan.';
    await deps.slack.post(`wf:${workflowId}:routing-failed`, thread, deps.views.errorMessage(message));
    if (await endWorkflow(deps, workflowId, 'failed', { type: 'workflow_failed', actor: null, error: message }))
      await afterEnd(deps, workflowId);
    return;
  }
  const planMessage = deps.views.planMessage(workflow.plan, workflow.routing_reason ?? '');
  const planTs = await deps.slack.post(`wf:${workflowId}:plan`, thread, planMessage);
  await storeWorkflowFile(
    deps,
    { ...workflow, root_ts: thread.threadTs },
    deps.views.planDocument(workflow, workflow.plan, workflow.routing_reason ?? ''),
    // The plan document goes with the first step's files (or the report's), not in a message of its own.
    { attach: 'with-next-upload' },
  );

  const lock = await acquireTarget(deps.pool, workflow.target, workflowId);
  if (!lock.acquired) {
    await recordEvent(deps.pool, workflowId, 'waiting_for_target', null, { holder: lock.holder.id });
    await deps.slack.post(
      `wf:${workflowId}:waiting-${lock.holder.id}`,
      thread,
      deps.views.waitingForTargetMessage(workflow.target, lock.holder.id, lock.holder.requester),
    );
    return;
  }

  const results = [
    { name: 'No conflicting work in progress', ok: true, detail: `this workflow holds \`${workflow.target}\`` },
    ...(await runPreflight(deps.preflight, workflow)),
  ];
  const preflight = deps.views.preflightMessage(results);
  const failed = results.filter((r) => !r.ok);
  // Checks that passed go under the plan, in its message; a failure gets a message of its own.
  if (!failed.length)
    await deps.slack.update(thread.channel, planTs, {
      text: `${planMessage.text} · ${preflight.text}`,
      blocks: [...(planMessage.blocks ?? []), ...(preflight.blocks ?? [])],
    });
  else await deps.slack.post(`wf:${workflowId}:preflight`, thread, preflight);
  if (failed.length) {
    const error = `Pre-flight checks failed: ${failed.map((r) => r.name).join(', ')}.`;
    if (await endWorkflow(deps, workflowId, 'failed', { type: 'workflow_failed', actor: null, error }))
      await afterEnd(deps, workflowId);
    return;
  }

  const started = await inTransaction(deps.pool, async (tx) => {
    const row = await transitionWorkflow(tx, workflowId, ['planned'], 'running', {
      type: 'workflow_started',
      actor: null,
    });
    if (row) await setCurrentStep(tx, workflowId, 0);
    return row;
  });
  if (!started) return;
  const first = (await getStepByIndex(deps.pool, workflowId, 0))!;
  await deps.queue.enqueue({ name: 'step', data: { workflowId, stepId: first.id, generation: first.generation } });
  await refreshRoot(deps, workflowId);
}
