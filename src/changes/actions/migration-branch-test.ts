/** A migration tried on the workflow's branch (lint, up, down, compare, up again), with its validation record. */
import { basename, join } from 'node:path';
import type { Migration } from '../../domain/handoff';
import type { Check } from '../../domain/records';
import { ActionFailedError } from '../../domain/errors';
import { saveArtifact } from '../../store/artifacts-repo';
import { listEvents, recordEvent } from '../../store/events';
import { writePrivateFile } from '../../store/private-files';
import type { StepActionContext } from '../../engine/ports/step-actions';
import type { Branch } from '../targets/branch-provider';
import type { ChangeTarget } from '../targets/change-target';
import { migrationHash } from '../sql/migration-hash';
import { lintForGate } from '../checks/migration-lint';
import { diffCheck, migrationReview, migrationRisk } from '../checks/migration-review';
import { type RoundTripResult, checks as roundTripChecks, runRoundTrip } from '../checks/round-trip';
import type { ChangeActionDeps } from './change-action-deps';
import { recreateBranch } from './discard-attempt';

/**
 * Lint, then apply → roll back → compare → re-apply on the branch. A migration that passes gives the
 * gate its risk, its SQL, its schema diff and the lint and round-trip checks; one that fails stops the
 * workflow with an error that still says how risky it was and what the lint found.
 */
export async function tryMigration(
  deps: ChangeActionDeps & { target: ChangeTarget },
  ctx: StepActionContext,
  tryBranch: Branch,
  migration: Migration,
): Promise<{ checks: Check[]; summary: string }> {
  let branch = tryBranch;
  const linted = await lintForGate(migration.up_sql);
  const lint = linted.checks;
  branch = await branchAfterInterruptedRun(deps, ctx, branch);
  await recordEvent(deps.pool, ctx.workflow.id, 'migration_test_started', null, {
    name: migration.name,
    step_id: ctx.step.id,
    sha256: migrationHash(migration),
  });
  const result = await runRoundTrip(deps.target.provider, branch, migration);
  const report = await writeValidation(deps, ctx.workflow.id, branch, migration, result, lint);
  // The hash pins the tested text: finish-workflow merges a migration only when it matches a pass of this step.
  await recordEvent(deps.pool, ctx.workflow.id, result.ok ? 'migration_tested' : 'migration_test_failed', null, {
    name: migration.name,
    step_id: ctx.step.id,
    sha256: migrationHash(migration),
    stages: result.stages,
    report,
  });
  if (!result.ok) {
    const failed = result.stages.find((s) => !s.ok);
    const risk = migrationRisk(migration, linted.violations);
    const findings = lint.filter((c) => c.status !== 'pass').map((c) => `${c.name}${c.detail ? ` (${c.detail})` : ''}`);
    throw new ActionFailedError(
      'Branch test',
      `migration ${migration.name} failed at "${failed?.name}" on branch ${branch.name}: ` +
        (failed?.error ?? 'schema mismatch') +
        (result.residue.length ? ` (down left: ${result.residue.slice(0, 5).join('; ')})` : '') +
        `. Risk: ${risk.level} — ${risk.reasons.slice(0, 3).join('; ')}` +
        `. Lint: ${findings.length ? findings.slice(0, 3).join('; ') : 'no findings'}` +
        '. Nothing was merged',
      false,
    );
  }
  const ms = (name: string) => result.stages.find((s) => s.name === name)?.ms ?? 0;
  return {
    checks: [
      ...migrationReview(migration, linted.violations, basename(report)),
      ...lint,
      ...roundTripChecks(result),
      diffCheck(result.diff),
      { name: 'Validation record', status: 'pass', detail: report },
    ],
    summary:
      `${migration.name} tried on branch ${branch.name}: up ${ms('up')} ms, down ${ms('down')} ms, up ` +
      `again ${ms('up-again')} ms; ${result.diff.length} schema change(s).`,
  };
}

/**
 * The branch a round trip may start on. When this step (this attempt of it) has already started a round
 * trip, its worker died before the step was done: half-way through the SQL (after the first `up`
 * committed, say), or after a round trip that passed and left the migration applied. Either way the
 * branch is not the one the step starts from, so it is made again from production with the earlier
 * steps' tested migrations; running the down SQL blindly could not tell "applied" from "half applied".
 */
async function branchAfterInterruptedRun(
  deps: ChangeActionDeps & { target: ChangeTarget },
  ctx: StepActionContext,
  branch: Branch,
): Promise<Branch> {
  const events = await listEvents(deps.pool, ctx.workflow.id);
  const mine = events.filter((e) => e.data.step_id === ctx.step.id);
  // Request changes put the branch back as the earlier steps left it: runs before that do not count.
  const reset = mine.map((e) => e.type).lastIndexOf('attempt_discarded');
  if (!mine.slice(reset + 1).some((e) => RUN_EVENTS.has(e.type))) return branch;
  const tested = new Set(
    events
      .filter((e) => e.type === 'migration_tested' && e.data.step_id !== ctx.step.id)
      .map((e) => String(e.data.sha256)),
  );
  const earlier = ctx.earlierHandoffs.flatMap((h) =>
    h.migration && tested.has(migrationHash(h.migration)) ? [h.migration] : [],
  );
  ctx.logger.warn(
    { workflowId: ctx.workflow.id },
    'a round trip of this step ran before; making the test branch again',
  );
  return recreateBranch(deps, ctx.workflow.id, earlier, 'round_trip_interrupted');
}

const RUN_EVENTS = new Set(['migration_test_started', 'migration_tested', 'migration_test_failed']);

/** The orchestrator's `validations/migration-test-{date}.md`: what was tried on the branch and how it went. */
async function writeValidation(
  deps: ChangeActionDeps,
  workflowId: number,
  branch: Branch,
  migration: Migration,
  result: RoundTripResult,
  lint: Check[],
): Promise<string> {
  const date = new Date().toISOString().slice(0, 10);
  const relative = `validations/migration-test-${date}-wf${workflowId}.md`;
  const path = join(deps.workspaceDir, relative);
  const lines = [
    `# Migration test: ${migration.name} (workflow #${workflowId})`,
    '',
    `Branch: ${branch.name} · ${new Date().toISOString()} · result: ${result.ok ? 'passed' : 'FAILED'}`,
    '',
    '## Stages',
    ...result.stages.map((s) => `- ${s.ok ? 'ok' : 'FAILED'} ${s.name} (${s.ms} ms)${s.error ? `: ${s.error}` : ''}`),
    '',
    '## Schema diff',
    ...(result.diff.length ? result.diff.map((d) => `- ${d}`) : ['- none']),
    ...(result.residue.length ? ['', '## Left behind by down', ...result.residue.map((d) => `- ${d}`)] : []),
    '',
    '## Lint',
    ...lint.map((c) => `- ${c.status}: ${c.name}${c.detail ? ` — ${c.detail}` : ''}`),
    '',
    '## up_sql',
    '```sql',
    migration.up_sql,
    '```',
    '',
    '## down_sql',
    '```sql',
    migration.down_sql,
    '```',
    '',
  ];
  await writePrivateFile(deps.workspaceDir, path, lines.join('\n'));
  await saveArtifact(deps.pool, { workflowId, path: relative, kind: 'markdown', content: lines.join('\n') });
  return path;
}
