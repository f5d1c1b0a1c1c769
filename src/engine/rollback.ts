import { compensationDescription, compensationSpecSchema, recordedKinds, rollbackOrder } from '../domain/compensations';
import { finishCompensation, listPendingCompensations } from '../store/compensations-repo';
import { recordEvent } from '../store/events';
import { releaseTarget } from '../store/target-locks-repo';
import { getWorkflow } from '../store/workflows-repo';
import type { EngineDeps } from './deps';
import { afterEnd } from './lifecycle';

/**
 * The rollback job: runs the compensations the steps registered, newest first, each once, the repository's
 * record of the migrations after production's own revert (and not at all when that failed); then frees
 * the target and reports. A compensation that fails is reported with what to do by hand.
 */
export async function rollbackWorkflow(deps: EngineDeps, workflowId: number, actor: string): Promise<void> {
  const workflow = await getWorkflow(deps.pool, workflowId);
  if (workflow?.state !== 'rolled_back') return;
  const pending = rollbackOrder(await listPendingCompensations(deps.pool, workflowId));
  const failures: string[] = [];
  const undone: string[] = [];
  const failedKinds = new Set<string>();
  for (const c of pending) {
    const spec = compensationSpecSchema.safeParse({ kind: c.kind, data: c.data });
    // A record of changes whose undo failed stays as it is (rollbackOrder runs it after them).
    if (spec.success && recordedKinds(c.kind).some((k) => failedKinds.has(k))) {
      const why = 'left as it is, because a migration it adds is still on production; undo it once that is reverted';
      failures.push(`${compensationDescription(spec.data)}: ${why}`);
      await finishCompensation(deps.pool, c.id, why);
      continue;
    }
    const compensator = spec.success ? deps.compensators.get(spec.data.kind) : undefined;
    if (!spec.success || !compensator) {
      failures.push(
        `${c.kind.replace(/-/g, ' ')}: this bot cannot undo it (no compensator installed); undo it by hand`,
      );
      await finishCompensation(deps.pool, c.id, 'no compensator installed');
      failedKinds.add(c.kind);
      continue;
    }
    try {
      // The registry is keyed by kind, so this compensator is the one for the parsed spec's kind.
      await (compensator.run as (data: unknown, ctx: object) => Promise<void>)(spec.data.data, {
        workflow,
        logger: deps.logger,
      });
      await finishCompensation(deps.pool, c.id);
      undone.push(compensationDescription(spec.data));
    } catch (error) {
      const message = (error as Error).message;
      await finishCompensation(deps.pool, c.id, message);
      failures.push(`${compensationDescription(spec.data)}: ${message}`);
      failedKinds.add(c.kind);
    }
  }
  await recordEvent(deps.pool, workflowId, failures.length ? 'rollback_incomplete' : 'rollback_completed', actor, {
    undone,
    failures,
  });
  const thread = { channel: workflow.channel_id, threadTs: workflow.root_ts! };
  const needed = failures.map((f) => `• ${f}`).join('\n');
  const undid = undone.length ? `undid ${undone.join(', ')}` : 'nothing had been changed yet';
  const text = failures.length
    ? `:warning: Rollback by <@${actor}> is incomplete. Undone: ${undone.length}. Needs a person:\n${needed}`
    : `:rewind: Rolled back by <@${actor}>: ${undid}.`;
  await deps.slack.post(`wf:${workflowId}:rollback`, thread, deps.views.noticeMessage(text));
  await releaseTarget(deps.pool, workflow.target, workflowId);
  await afterEnd(deps, workflowId);
}
