import { ZERO_USAGE, addUsage, usageSchema } from '../../domain/handoff';
import { listGates } from '../../store/gates-repo';
import { listSteps } from '../../store/steps-repo';
import { getWorkflow } from '../../store/workflows-repo';
import { listEvents } from '../../store/events';
import type { DecisionDeps, EngineDeps } from '../deps';
import { storeWorkflowFile } from './workflow-files';

/** Redraws of one workflow's root in a row before giving up on catching up with a busy workflow. */
const MAX_REDRAWS = 5;

/**
 * Redraws the root message (state and progress bar) from Postgres. No transaction or pooled client is
 * held while Slack is called. Two redraws may overlap and land in either order, so after each update
 * the state is read again: if it now draws differently, this redraw runs again. The last update to
 * land is then always followed by a read that matches it, so a stale state never stays on show.
 */
export async function refreshRoot(deps: DecisionDeps, workflowId: number): Promise<void> {
  let drawn: string | undefined;
  for (let i = 0; i < MAX_REDRAWS; i++) {
    const workflow = await getWorkflow(deps.pool, workflowId);
    if (!workflow?.root_ts) return;
    const message = deps.views.rootMessage(workflow, workflow.plan, await listSteps(deps.pool, workflowId));
    const text = JSON.stringify(message);
    if (text === drawn) return;
    await deps.slack.update(workflow.channel_id, workflow.root_ts, message);
    drawn = text;
  }
}

/** Posts the closing report once and redraws the root. */
export async function postReport(deps: EngineDeps, workflowId: number): Promise<void> {
  const workflow = await getWorkflow(deps.pool, workflowId);
  if (!workflow?.root_ts) return;
  const [steps, gates] = await Promise.all([listSteps(deps.pool, workflowId), listGates(deps.pool, workflowId)]);
  const events = await listEvents(deps.pool, workflowId);
  // The steps' own usage, plus the calls outside any step's run: routing and failure analysis.
  const outside = events
    .filter((e) => e.type === 'model_call' && (e.data.purpose === 'routing' || e.data.purpose === 'failure_analysis'))
    .map((e) => usageSchema.parse(e.data.usage));
  const usage = [...steps.flatMap((s) => (s.usage ? [s.usage] : [])), ...outside].reduce(addUsage, ZERO_USAGE);
  const merged = [
    ...events.filter((e) => e.type === 'migration_merged').map((e) => String(e.data.name)),
    ...events
      .filter((e) => e.type === 'function_deployed' && e.data.existed === false)
      .map((e) => `Edge Function ${String(e.data.slug)}`),
  ];
  await storeWorkflowFile(deps, workflow, deps.views.reportDocument(workflow, steps, gates, usage, merged));
  const report = deps.views.reportMessage(workflow, steps, gates, usage, merged);
  const ts = await deps.slack.post(
    `wf:${workflowId}:report`,
    { channel: workflow.channel_id, threadTs: workflow.root_ts },
    report,
  );
  // A workflow can end twice (merged, then rolled back): the one report shows the latest outcome.
  if (workflow.state === 'rolled_back') await deps.slack.update(workflow.channel_id, ts, report);
  await refreshRoot(deps, workflowId);
}
