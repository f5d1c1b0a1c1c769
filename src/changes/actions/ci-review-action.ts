import type { Pool } from 'pg';
import { handoffSchema } from '../../domain/handoff';
import { ActionFailedError } from '../../domain/errors';
import { listGates } from '../../store/gates-repo';
import { listSteps } from '../../store/steps-repo';
import type { StepAction } from '../../engine/ports/step-actions';
import { type CiFile, ciFilesOf } from '../checks/ci-file-policy';
import { ciReviewChecks } from '../checks/ci-yaml-flags';

/**
 * The devops step's action before its CI Review gate: the proposed files must follow the path rule
 * (else the step fails, naming every problem, and nothing reaches GitHub) and each is read as YAML
 * for what a reviewer must look at. It talks to nobody: the checks are the gate's content.
 */
export function ciReviewAction(): StepAction {
  return {
    name: 'ci-review',
    async run(ctx) {
      if (!ctx.handoff)
        throw new ActionFailedError(
          'CI review',
          'the step has no handoff to review; give the CI Review gate to a step with an agent',
          false,
        );
      const files = ciFilesOf(ctx.handoff);
      const checks = ciReviewChecks(files, ctx.handoff.pipeline?.secrets ?? []);
      const flagged = checks.filter((c) => c.status !== 'pass').length;
      return {
        checks,
        summary:
          `${files.length} CI file(s) for review (${files.map((f) => f.path).join(', ')}); ${flagged} ` +
          `finding(s) to look at. Nothing goes to GitHub before the CI Review gate is approved.`,
      };
    },
  };
}

/**
 * The files an approver approved: those of every step whose CI Review gate is approved, read again
 * from the step's stored handoff and validated again. A workflow without such a gate has none.
 */
export async function approvedCiFiles(pool: Pool, workflowId: number): Promise<CiFile[]> {
  const [gates, steps] = await Promise.all([listGates(pool, workflowId), listSteps(pool, workflowId)]);
  const files = new Map<string, CiFile>();
  for (const gate of gates.filter((g) => g.kind === 'ci_review' && g.state === 'approved')) {
    const step = steps.find((s) => s.id === gate.step_id);
    if (!step?.handoff) continue;
    for (const file of ciFilesOf(handoffSchema.parse(step.handoff))) files.set(file.path, file);
  }
  return [...files.values()];
}
