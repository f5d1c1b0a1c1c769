/** A migration tried on the workflow's branch (lint, up, down, compare, up again), with its validation record. */
import { join } from 'node:path';
import type { Migration } from '../../domain/handoff';
import type { Check } from '../../domain/records';
import { ActionFailedError } from '../../domain/errors';
import { saveArtifact } from '../../store/artifacts-repo';
import { recordEvent } from '../../store/events';
import { writePrivateFile } from '../../store/private-files';
import type { StepActionContext } from '../../engine/ports/step-actions';
import type { Branch } from '../targets/branch-provider';
import type { ChangeTarget } from '../targets/change-target';
import { migrationHash } from '../sql/migration-hash';
import { lintChecks, lintMigration } from '../checks/migration-lint';
import { type RoundTripResult, checks as roundTripChecks, runRoundTrip } from '../checks/round-trip';
import type { ChangeActionDeps } from './change-action-deps';

/** Lint, then apply → roll back → compare → re-apply on the branch. A migration that fails stops the workflow. */
export async function tryMigration(
  deps: ChangeActionDeps & { target: ChangeTarget },
  ctx: StepActionContext,
  branch: Branch,
  migration: Migration,
): Promise<{ checks: Check[]; summary: string }> {
  const lint = lintChecks(await lintMigration(migration.up_sql));
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
    throw new ActionFailedError(
      'Branch test',
      `migration ${migration.name} failed at "${failed?.name}" on branch ${branch.name}: ` +
        (failed?.error ?? 'schema mismatch') +
        (result.residue.length ? ` (down left: ${result.residue.slice(0, 5).join('; ')})` : '') +
        '. Nothing was merged',
      false,
    );
  }
  const diff: Check = {
    name: 'Schema diff',
    status: 'pass',
    detail:
      result.diff.slice(0, 12).join('; ') + (result.diff.length > 12 ? `; … ${result.diff.length - 12} more` : ''),
  };
  const ms = (name: string) => result.stages.find((s) => s.name === name)?.ms ?? 0;
  return {
    checks: [...lint, ...roundTripChecks(result), diff, { name: 'Validation record', status: 'pass', detail: report }],
    summary:
      `${migration.name} tried on branch ${branch.name}: up ${ms('up')} ms, down ${ms('down')} ms, up ` +
      `again ${ms('up-again')} ms; ${result.diff.length} schema change(s).`,
  };
}

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
