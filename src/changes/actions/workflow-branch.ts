/** The workflow's branch: made once, with the RLS findings production already had recorded as its baseline. */
import { Pool } from 'pg';
import { listEvents, recordEvent } from '../../store/events';
import type { StepActionContext } from '../../engine/ports/step-actions';
import type { Branch } from '../targets/branch-provider';
import type { ChangeTarget } from '../targets/change-target';
import { auditBaseline } from '../checks/rls-audit';
import type { ChangeActionDeps } from './change-action-deps';

/** Creates the workflow's branch once, registering its deletion first. */
export async function ensureBranch(
  deps: ChangeActionDeps & { target: ChangeTarget },
  ctx: StepActionContext,
): Promise<Branch> {
  const existing = await deps.target.provider.getBranch(ctx.workflow.id);
  if (existing) return existing;
  await ctx.compensate({ key: 'branch', kind: 'delete-branch', data: { workflowId: ctx.workflow.id } });
  const branch = await deps.target.provider.createBranch(ctx.workflow.id);
  await recordEvent(deps.pool, ctx.workflow.id, 'branch_created', null, {
    branch: branch.name,
    provider: deps.target.provider.kind,
  });
  await recordBaseline(deps, ctx, branch);
  return branch;
}

/**
 * The RLS findings of the fresh branch, before any migration: production's own, so the audit shows
 * them apart ("already on production") instead of failing the gate. Without a direct connection to
 * the branch there is no baseline, and every finding counts as the change's.
 */
async function recordBaseline(deps: ChangeActionDeps, ctx: StepActionContext, branch: Branch): Promise<void> {
  if (!branch.databaseUrl) return;
  const pool = new Pool({ connectionString: branch.databaseUrl, max: 1, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  try {
    await recordEvent(deps.pool, ctx.workflow.id, 'rls_baseline', null, {
      branch: branch.name,
      findings: await auditBaseline(pool),
    });
  } catch (error) {
    ctx.logger.warn(
      { err: (error as Error).message, branch: branch.name },
      'RLS baseline not taken; every finding will count as the change',
    );
  } finally {
    await pool.end();
  }
}

/** The baseline recorded when the workflow's branch was made, if any. */
export async function baselineOf(deps: ChangeActionDeps, workflowId: number): Promise<string[] | undefined> {
  const event = (await listEvents(deps.pool, workflowId)).filter((e) => e.type === 'rls_baseline').pop();
  return Array.isArray(event?.data.findings) ? event.data.findings.map(String) : undefined;
}
