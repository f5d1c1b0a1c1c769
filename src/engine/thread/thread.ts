import { ACTIVE_WORKFLOW_STATES } from '../../domain/states';
import { workflowUsage } from '../../domain/workflow-usage';
import { listGates } from '../../store/gates-repo';
import { listSteps } from '../../store/steps-repo';
import { getWorkflow } from '../../store/workflows-repo';
import { listEvents } from '../../store/events';
import { errorSaidInThread, notDoneItems } from '../../domain/outcomes';
import type { DecisionDeps, EngineDeps } from '../deps';
import { attachStoredFiles, storeWorkflowFile } from './workflow-files';

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
    const steps = await listSteps(deps.pool, workflowId);
    const events = workflow.state === 'succeeded' || workflow.error ? await listEvents(deps.pool, workflowId) : [];
    const notDone = workflow.state === 'succeeded' ? notDoneItems(steps, events) : [];
    const message = deps.views.rootMessage(workflow, workflow.plan, steps, notDone, errorSaidInThread(events));
    const text = JSON.stringify(message);
    if (text === drawn) return;
    // Mid-workflow the bar is queued, not waited for: the step goes on, and redraws that pile up behind
    // Slack's edit limit collapse into the latest. The last one, when the workflow has ended, is waited for.
    const ended = !(ACTIVE_WORKFLOW_STATES as readonly string[]).includes(workflow.state);
    const hint = ended ? undefined : { priority: 'background' as const, wait: false };
    await deps.slack.update(workflow.channel_id, workflow.root_message_ts ?? workflow.root_ts, message, hint);
    drawn = text;
  }
}

/** Posts the closing report once and redraws the root. */
export async function postReport(deps: EngineDeps, workflowId: number): Promise<void> {
  const workflow = await getWorkflow(deps.pool, workflowId);
  if (!workflow?.root_ts) return;
  const [steps, gates] = await Promise.all([listSteps(deps.pool, workflowId), listGates(deps.pool, workflowId)]);
  const events = await listEvents(deps.pool, workflowId);
  const usage = workflowUsage(steps, events);
  const merged = [
    ...events.filter((e) => e.type === 'migration_merged').map((e) => String(e.data.name)),
    ...events
      .filter((e) => e.type === 'function_deployed' && e.data.existed === false)
      .map((e) => `Edge Function ${String(e.data.slug)}`),
  ];
  const notDone = notDoneItems(steps, events);
  await storeWorkflowFile(deps, workflow, deps.views.reportDocument(workflow, steps, gates, usage, merged, notDone), {
    attach: 'with-next-upload',
  });
  // The report document, with any stored file not attached yet (the plan, when no step ran), in one upload.
  await attachStoredFiles(deps, workflow, `wf:${workflowId}:report-files`);
  // The repository's pull requests (GITHUB_REPOSITORY): the merged migrations', and the one reverting them.
  const links = events.flatMap((e) => {
    if (e.type === 'migration_pr_opened')
      return [{ text: `Migrations pull request #${String(e.data.pull_request)}`, url: String(e.data.url) }];
    if (e.type === 'migration_pr_reverted' && e.data.action === 'reverted')
      return [{ text: `Reverting pull request #${String(e.data.number)}`, url: String(e.data.url) }];
    return [];
  });
  const report = deps.views.reportMessage(
    workflow,
    steps,
    gates,
    usage,
    merged,
    notDone,
    links,
    errorSaidInThread(events),
  );
  const ts = await deps.slack.post(
    `wf:${workflowId}:report`,
    { channel: workflow.channel_id, threadTs: workflow.root_ts },
    report,
  );
  // A workflow can end twice (merged, then rolled back): the one report shows the latest outcome.
  if (workflow.state === 'rolled_back') await deps.slack.update(workflow.channel_id, ts, report);
  await refreshRoot(deps, workflowId);
}
