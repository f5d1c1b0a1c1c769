import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { ActionFailedError } from '../../domain/errors';
import { listEvents, recordEvent } from '../../store/events';
import type { Check } from '../../domain/records';
import type { Compensator, StepAction } from '../../engine/ports/step-actions';
import { approvedCiFiles } from './ci-review-action';
import type { GitHubApi, WorkflowRun } from '../targets/github-api';

const ACTION = 'CI run';
const LOG_LINES = 30;
const OK_CONCLUSIONS = new Set(['success', 'skipped', 'neutral']);

/** What the CI path needs; without `github` the CI files are only shown, not run. */
export interface CiDeps {
  github?: GitHubApi;
  pool: Pool;
  /** Between two reads of the runs (INFRA_CI_POLL_MS). */
  pollMs: number;
  /** How long the runs may take in all (INFRA_CI_TIMEOUT_MS). */
  timeoutMs: number;
  /** How long to wait for a first run to appear before saying none started; default 2 minutes. */
  startTimeoutMs?: number;
}

/** The git branch of a workflow's CI changes: the same name as its database branch. */
export function ciBranch(workflowId: number): string {
  return `infra-wf-${workflowId}`;
}

/**
 * The orchestrator's CI/CD path, run by an engine step after the CI Review gate: the files approved there
 * (and only those) are committed to a branch and opened as a pull request (so `pull_request`
 * workflows run too); the engine waits for the Actions runs of that commit. A failed run pulls the
 * failed jobs' logs and fails the step, which stops the workflow (the CI step's policy is `stop`).
 */
export function ciRunAction(deps: CiDeps): StepAction {
  return {
    name: 'ci-run',
    async run(ctx) {
      const files = await approvedCiFiles(deps.pool, ctx.workflow.id);
      if (!files.length)
        return {
          checks: [
            {
              name: 'CI run',
              status: 'warn',
              detail: 'not run: no CI file was approved at a CI Review gate',
              flags: ['not_done'],
            },
          ],
        };
      const github = deps.github;
      if (!github)
        return {
          checks: [
            {
              name: 'CI run',
              status: 'warn',
              detail: 'not run: set GITHUB_TOKEN and GITHUB_REPOSITORY to try the CI files on a branch',
              flags: ['not_done'],
            },
          ],
        };
      const branch = ciBranch(ctx.workflow.id);
      const base = await github.defaultBranch();
      if (!(await github.branchSha(branch))) {
        await ctx.compensate({ key: 'ci-branch', kind: 'discard-ci-branch', data: { branch } });
        const baseSha = await github.branchSha(base);
        if (!baseSha)
          throw new ActionFailedError(ACTION, `the default branch ${base} has no commit; push one first`, false);
        await github.createBranch(branch, baseSha);
      }
      let head = '';
      for (const file of files)
        head = await github.putFile(branch, file.path, file.content, `infra #${ctx.workflow.id}: ${file.path}`);
      const pr = await github.openPullRequest(
        branch,
        base,
        `infra #${ctx.workflow.id}: ${ctx.workflow.request.slice(0, 60)}`,
        `Proposed by infra-orchestrator workflow #${ctx.workflow.id}, requested by a Slack user. Approve it in the Slack thread.`,
      );
      await recordEvent(deps.pool, ctx.workflow.id, 'ci_pushed', null, {
        branch,
        sha: head,
        pull_request: pr.number,
        url: pr.html_url,
      });
      const runs = await waitForRuns(deps, github, branch, head);
      if (!runs.length) {
        return {
          checks: [
            {
              name: 'CI run',
              status: 'warn',
              detail:
                `no Actions run started for ${head.slice(0, 7)} on ${branch} (pull request ` +
                `#${pr.number}); check that Actions is enabled and the workflows trigger on push or pull_request`,
              flags: ['not_done'],
            },
          ],
        };
      }
      const failed = runs.filter((r) => !OK_CONCLUSIONS.has(r.conclusion ?? ''));
      if (failed.length) {
        const logs: string[] = [];
        for (const run of failed)
          for (const job of await github.failedJobLogs(run.id, LOG_LINES))
            logs.push(`--- ${run.name ?? run.id} / ${job.name}\n${job.log}`);
        const which = failed.map((r) => `${r.name ?? r.id} ${r.conclusion} (${r.html_url})`).join(', ');
        throw new ActionFailedError(
          ACTION,
          `${which} on ${branch}. The end of the failed job log(s):\n${logs.join('\n') || '(no failed job)'}`,
          false,
        );
      }
      const checks: Check[] = runs.map((r) => ({ name: `CI: ${r.name ?? r.id}`, status: 'pass', detail: r.html_url }));
      return {
        checks,
        summary: `${runs.length} CI run(s) passed on ${branch}; pull request #${pr.number}: ${pr.html_url}`,
      };
    },
  };
}

/** Polls until every run of the commit completed; none at all after the start timeout returns []. */
async function waitForRuns(deps: CiDeps, github: GitHubApi, branch: string, sha: string): Promise<WorkflowRun[]> {
  const started = Date.now();
  for (;;) {
    const runs = await github.runsFor(branch, sha);
    if (runs.length && runs.every((r) => r.status === 'completed')) return runs;
    const waited = Date.now() - started;
    if (!runs.length && waited > (deps.startTimeoutMs ?? 120_000)) return [];
    if (waited > deps.timeoutMs) {
      throw new ActionFailedError(
        ACTION,
        `the runs on ${branch} were still going after ${Math.round(deps.timeoutMs / 60_000)} min ` +
          `(${runs.map((r) => r.html_url).join(', ')}); raise INFRA_CI_TIMEOUT_MS or look at them on GitHub`,
        false,
      );
    }
    await sleep(deps.pollMs);
  }
}

/** Closes the workflow's pull request and deletes its branch; safe to run twice. */
export async function discardCiBranch(deps: CiDeps, workflowId: number): Promise<boolean> {
  const events = await listEvents(deps.pool, workflowId);
  const pushed = events.filter((e) => e.type === 'ci_pushed').pop();
  if (!deps.github || !pushed || events.some((e) => e.type === 'ci_discarded')) return false;
  await deps.github.closePullRequest(Number(pushed.data.pull_request));
  await deps.github.deleteBranch(String(pushed.data.branch));
  await recordEvent(deps.pool, workflowId, 'ci_discarded', null, {
    branch: pushed.data.branch,
    pull_request: pushed.data.pull_request,
  });
  return true;
}

/** Rollback: the CI branch and its pull request go. */
export function discardCiBranchCompensator(deps: CiDeps): Compensator {
  return {
    kind: 'discard-ci-branch',
    async run(_data, ctx) {
      await discardCiBranch(deps, ctx.workflow.id);
    },
  };
}
