import type { Pool } from 'pg';
import { earlierFindingsCheck } from '../domain/gate-policy';
import type { Check, EventRow, Step, Workflow } from '../domain/records';
import { ACTIVE_WORKFLOW_STATES } from '../domain/states';
import type { GateKind } from '../domain/gate-kinds';
import type { ChangePipeline, GateCheckInput, MergeOutcome } from '../engine/ports/change-pipeline';
import type { Logger } from '../logger';
import { recordEvent } from '../store/events';
import { getWorkflow } from '../store/workflows-repo';
import type { ChangeTarget } from './targets/change-target';
import { type CiDeps, discardCiBranch } from './actions/ci-run-action';
import { gateChecks } from './checks/gate-checks';
import { mergeApproved } from './merge/merge';
import { discardAttempt } from './actions/discard-attempt';
import type { Handoff } from '../domain/handoff';
import { mergeCandidates } from './merge/merge-candidates';
import { mergePlanCheck, mergedRiskCheck } from './merge/merge-plan';
import type { RepositoryMigrations } from './targets/repository-migrations';

/** A branch still being made is left alone this long: its creator may be loading the schema into it right now. */
const CREATION_GRACE_MS = 15 * 60_000;

export interface ChangePipelineDeps {
  pool: Pool;
  logger: Logger;
  /** The team's database: branches, merge, revert. Absent when no target is configured. */
  target?: ChangeTarget;
  /** The repository CI changes are tried in (GitHub); absent when none is configured. */
  ci?: CiDeps;
  /** GITHUB_REPOSITORY's migrations: the merge opens their pull request. */
  repository?: RepositoryMigrations;
}

/** The change-safety pipeline behind the engine's ChangePipeline port. */
export class SafeChangePipeline implements ChangePipeline {
  constructor(private readonly deps: ChangePipelineDeps) {}

  gateChecks(kind: GateKind, input: GateCheckInput): Check[] {
    return gateChecks(kind, input);
  }

  mergeGateContents(input: { workflow: Workflow; steps: Step[]; events: EventRow[]; step: Step; own: Check[] }) {
    const { workflow, steps, events, step, own } = input;
    const earlier = earlierFindingsCheck(steps.filter((s) => s.idx < step.idx).flatMap((s) => s.checks ?? []));
    const { migrations, ignored } = mergeCandidates(workflow.plan!, steps, events);
    const checks = [...own, ...(earlier ? [earlier] : [])];
    if (this.deps.target && migrations.length) {
      const untested = migrations.filter((m) => m.test !== 'passed');
      checks.push(
        untested.length
          ? {
              name: 'Migrations tested',
              status: 'fail',
              detail: `${untested.map((m) => m.name).join(', ')}: this exact text has not passed the branch test, so it will not be merged`,
            }
          : {
              name: 'Migrations tested',
              status: 'pass',
              detail: `${migrations.length} migration(s), each exactly as it passed the branch test`,
            },
      );
    }
    if (ignored.length) {
      checks.push({
        name: 'Migrations not merged',
        status: 'warn',
        detail: `${ignored.map((m) => `${m.name} from ${m.stepTitle}`).join(', ')}: their steps do not test migrations on the branch`,
      });
    }
    const risk = mergedRiskCheck(migrations, steps);
    if (risk) checks.push(risk);
    checks.push(mergePlanCheck({ target: this.deps.target, migrations, steps, events }));
    return { checks, migrations };
  }

  merge(
    workflow: Workflow,
    opts: { lastAttempt: boolean; say(key: string, text: string): Promise<void> },
  ): Promise<MergeOutcome> {
    const { pool, target, repository } = this.deps;
    return mergeApproved({ pool, target, repository }, workflow, opts);
  }

  discardAttempt(input: { workflow: Workflow; step: Step; previous?: Handoff; earlier: Handoff[] }) {
    return discardAttempt(this.deps, input);
  }

  async cleanUp(workflow: Workflow): Promise<void> {
    const { target, ci, pool } = this.deps;
    if (target && workflow.state !== 'rolled_back' && (await target.provider.getBranch(workflow.id))) {
      // Branches live only as long as their workflow; a rollback deletes its own through a compensation.
      await target.provider.deleteBranch(workflow.id);
      await recordEvent(pool, workflow.id, 'branch_deleted', null, { reason: workflow.state });
    }
    // A CI branch outlives its workflow only as the approved pull request; a rollback discards it itself.
    if (ci && workflow.state !== 'succeeded' && workflow.state !== 'rolled_back')
      await discardCiBranch(ci, workflow.id);
  }

  /** A rolled-back workflow's branch is left to its rollback job, which deletes it as a compensation. */
  async sweepOrphanBranches(): Promise<void> {
    const { target, pool, logger } = this.deps;
    if (!target) return;
    for (const branch of await target.provider.listBranches()) {
      if (branch.ready === false && Date.now() - branch.createdAt.getTime() < CREATION_GRACE_MS) continue;
      const workflow = await getWorkflow(pool, branch.workflowId);
      if (workflow && (ACTIVE_WORKFLOW_STATES as readonly string[]).includes(workflow.state)) continue;
      if (workflow?.state === 'rolled_back') continue;
      await target.provider.deleteBranch(branch.workflowId);
      if (workflow) await recordEvent(pool, workflow.id, 'branch_deleted', null, { reason: 'orphan' });
      logger.info({ branch: branch.name }, 'deleted an orphan branch');
    }
  }
}
