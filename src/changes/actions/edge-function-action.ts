import { ActionFailedError } from '../../domain/errors';
import type { Check } from '../../domain/records';
import { recordEvent } from '../../store/events';
import type { Compensator, StepAction } from '../../engine/ports/step-actions';
import type { ChangeActionDeps } from './change-action-deps';
import { ensureBranch } from './workflow-branch';
import { functionsInArtifacts } from '../checks/edge-functions';

const ACTION = 'Edge Function test';
const LOG_LINES = 10;

/**
 * The Edge Function path of the orchestrator: the functions the agents wrote (`supabase/functions/<slug>/…`
 * artifacts) are deployed on the branch and called as a client would call them. A failing call pulls
 * the branch's function logs and fails the step with them, so the step's `retry_once` policy hands them
 * to the agent for one more try.
 */
export function edgeFunctionTestAction(deps: ChangeActionDeps): StepAction {
  return {
    name: 'edge-function-test',
    async run(ctx) {
      const handoffs = [...ctx.earlierHandoffs, ...(ctx.handoff ? [ctx.handoff] : [])];
      const functions = functionsInArtifacts(handoffs.flatMap((h) => h.artifacts));
      const calls = handoffs.flatMap((h) => h.function_checks ?? []);
      if (!functions.length && !calls.length)
        return {
          checks: [
            {
              name: 'Edge Functions',
              status: 'warn',
              detail:
                'nothing deployed: no function was proposed (expected supabase/functions/<slug>/index.ts among the artifacts)',
              flags: ['not_done'],
            },
          ],
        };
      const host = deps.target?.functions;
      if (!deps.target || !host) {
        return {
          checks: [
            {
              name: 'Edge Functions',
              status: 'warn',
              detail:
                'not deployed or called: Edge Functions run only on a Supabase target (set SUPABASE_ACCESS_TOKEN and SUPABASE_PROJECT_REF)',
              flags: ['not_done'],
            },
          ],
        };
      }
      const branch = await ensureBranch({ ...deps, target: deps.target }, ctx);
      const started = new Date(Date.now() - 60_000);
      const checks: Check[] = [];
      for (const fn of functions) {
        const { version } = await host.deployToBranch(ctx.workflow.id, fn);
        checks.push({
          name: `Deployed ${fn.slug}`,
          status: 'pass',
          detail: `version ${version} on ${branch.name}, ${fn.files.length} file(s)`,
        });
      }
      const failed: string[] = [];
      for (const call of calls) {
        const answer = await host.invokeOnBranch(ctx.workflow.id, call.function, call.body ?? {});
        const status = answer.status === undefined ? 'no answer' : `HTTP ${answer.status}`;
        checks.push({
          name: `Call: ${call.name}`,
          status: answer.ok ? 'pass' : 'fail',
          detail: `${call.function} → ${status}: ${answer.detail}`.slice(0, 300),
        });
        if (!answer.ok) failed.push(`${call.name} (${call.function} → ${status}: ${answer.detail.slice(0, 200)})`);
      }
      if (failed.length) {
        const logs = await host
          .branchLogs(ctx.workflow.id, started)
          .catch((error: unknown) => [`(the logs could not be read: ${(error as Error).message})`]);
        const tail = logs.length ? logs.slice(0, LOG_LINES).join('\n') : '(no log lines)';
        throw new ActionFailedError(
          ACTION,
          `${failed.join('; ')} failed on branch ${branch.name}. Function logs, newest first:\n${tail}`,
          false,
        );
      }
      return {
        checks,
        summary: `${functions.length} function(s) deployed on ${branch.name}; ${calls.length} call(s) answered.`,
      };
    },
  };
}

/** Rollback after a merge: an Edge Function the workflow created on production is deleted. */
export function deleteFunctionCompensator(deps: ChangeActionDeps): Compensator {
  return {
    kind: 'delete-function',
    async run(data, ctx) {
      const host = deps.target?.functions;
      if (!host)
        throw new Error('no Supabase target is configured, so the deployed Edge Function cannot be deleted here');
      const slug = data.slug;
      if ((await host.listProduction()).includes(slug)) await host.deleteFromProduction(slug);
      await recordEvent(deps.pool, ctx.workflow.id, 'function_deleted', null, { slug });
    },
  };
}
